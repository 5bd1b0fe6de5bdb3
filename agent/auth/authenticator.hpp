// Who is asking, and may they? A verified client certificate whose CN or a SAN is on the
// allow-list, or a bearer token whose SHA-256 is in the configuration (compared in constant time
// against every configured hash). Roles: reader (GET) and operator (also POST).
// Pure logic: no I/O, no clock; the throttle takes the time as an argument.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/config/agent_config.hpp"

namespace nexus_mde::agent {

enum class AuthOutcome {
  kAllowed,
  kNoCredentials,    // 401: neither a client certificate nor a bearer token
  kBadToken,         // 401: a bearer token that matches no configured hash, or a malformed header
  kUnknownIdentity,  // 403: a verified certificate whose identities are not on the allow-list
  kWrongRole,        // 403: authenticated, but the role does not allow the method
};

struct AuthDecision {
  AuthOutcome outcome = AuthOutcome::kNoCredentials;
  std::string
      identity;  // "cn:nexus-mde-operator" style is avoided: the identity as configured, or "token:NAME"
  std::optional<Role> role;
  std::string reason;  // for the 401/403 body and the journal

  bool allowed() const { return outcome == AuthOutcome::kAllowed; }
  unsigned http_status() const;            // 200 when allowed, else 401 or 403
  std::string_view metric_reason() const;  // "no-credentials", "bad-token", ...
};

class Authenticator {
 public:
  Authenticator(const std::vector<ClientIdentity>& clients, const std::vector<TokenHash>& tokens);

  // `certificate_identities` come from a certificate the TLS handshake verified; `authorization`
  // is the Authorization header. A bearer token, when given, decides (so an operator's tooling
  // can use a token from a host whose certificate is only a reader's).
  AuthDecision authenticate(const std::vector<std::string>& certificate_identities,
                            std::string_view authorization, std::string_view method) const;

 private:
  struct Token {
    std::string name;
    std::array<unsigned char, 32> digest{};
    Role role;
  };
  std::vector<ClientIdentity> clients_;
  std::vector<Token> tokens_;
};

bool role_allows(Role role, std::string_view method);

// Slows down a peer address that keeps failing authentication: after `max_failures` within
// `window`, its requests get 429 until the window ends. Remembers at most `max_peers` addresses
// (the oldest windows are forgotten first), so a flood of addresses cannot exhaust memory.
class FailureThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  FailureThrottle(unsigned max_failures = 10, std::chrono::seconds window = std::chrono::seconds(60),
                  std::size_t max_peers = 4096)
      : max_failures_(max_failures), window_(window), max_peers_(max_peers) {}

  // How long the peer must wait, when it is throttled now.
  std::optional<std::chrono::seconds> retry_after(const std::string& peer_address,
                                                  Clock::time_point now) const;
  void record_failure(const std::string& peer_address, Clock::time_point now);

 private:
  struct Window {
    Clock::time_point start;
    unsigned failures = 0;
  };
  unsigned max_failures_;
  std::chrono::seconds window_;
  std::size_t max_peers_;
  std::unordered_map<std::string, Window> peers_;
};

}  // namespace nexus_mde::agent
