#include "agent/auth/authenticator.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace nexus_mde::agent {

namespace {

std::optional<std::array<unsigned char, 32>> digest_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  std::array<unsigned char, 32> out{};
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return out;
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

// The token of "Bearer <token>" (scheme case-insensitive, RFC 7235), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

bool role_allows(Role role, std::string_view method) {
  if (method == "GET" || method == "HEAD") return true;
  return role == Role::kOperator;
}

unsigned AuthDecision::http_status() const {
  switch (outcome) {
    case AuthOutcome::kAllowed:
      return 200;
    case AuthOutcome::kNoCredentials:
    case AuthOutcome::kBadToken:
      return 401;
    case AuthOutcome::kUnknownIdentity:
    case AuthOutcome::kWrongRole:
      return 403;
  }
  return 401;
}

std::string_view AuthDecision::metric_reason() const {
  switch (outcome) {
    case AuthOutcome::kAllowed:
      return "allowed";
    case AuthOutcome::kNoCredentials:
      return "no-credentials";
    case AuthOutcome::kBadToken:
      return "bad-token";
    case AuthOutcome::kUnknownIdentity:
      return "unknown-identity";
    case AuthOutcome::kWrongRole:
      return "wrong-role";
  }
  return "unknown";
}

Authenticator::Authenticator(const std::vector<ClientIdentity>& clients, const std::vector<TokenHash>& tokens)
    : clients_(clients) {
  for (const auto& t : tokens) {
    // The configuration was validated; a hash that does not parse matches nothing.
    if (auto d = digest_from_hex(t.sha256_hex)) tokens_.push_back({t.name, *d, t.role});
  }
}

AuthDecision Authenticator::authenticate(const std::vector<std::string>& certificate_identities,
                                         std::string_view authorization, std::string_view method) const {
  AuthDecision d;
  if (!authorization.empty()) {
    auto token = bearer_token(authorization);
    if (!token) {
      d.outcome = AuthOutcome::kBadToken;
      d.reason = "the Authorization header is not \"Bearer <token>\"";
      return d;
    }
    auto presented = sha256(*token);
    const Token* match = nullptr;
    // Every configured hash is compared, matched or not, so timing says nothing about which.
    for (const auto& t : tokens_) {
      if (CRYPTO_memcmp(presented.data(), t.digest.data(), presented.size()) == 0) match = &t;
    }
    if (!match) {
      d.outcome = AuthOutcome::kBadToken;
      d.reason = "the bearer token is not valid";
      return d;
    }
    d.identity = "token:" + match->name;
    d.role = match->role;
  } else if (!certificate_identities.empty()) {
    for (const auto& id : certificate_identities) {
      auto it = std::find_if(clients_.begin(), clients_.end(),
                             [&](const ClientIdentity& c) { return c.identity == id; });
      if (it != clients_.end()) {
        d.identity = it->identity;
        d.role = it->role;
        break;
      }
    }
    if (!d.role) {
      d.outcome = AuthOutcome::kUnknownIdentity;
      d.identity = certificate_identities.front();
      d.reason = "the client certificate's identity \"" + certificate_identities.front() +
                 "\" is not on the allow-list";
      return d;
    }
  } else {
    d.outcome = AuthOutcome::kNoCredentials;
    d.reason = "a client certificate or a bearer token is required";
    return d;
  }
  if (!role_allows(*d.role, method)) {
    d.outcome = AuthOutcome::kWrongRole;
    d.reason = "role " + std::string(to_string(*d.role)) + " may not " + std::string(method) + " this route";
    return d;
  }
  d.outcome = AuthOutcome::kAllowed;
  return d;
}

std::optional<std::chrono::seconds> FailureThrottle::retry_after(const std::string& peer_address,
                                                                 Clock::time_point now) const {
  auto it = peers_.find(peer_address);
  if (it == peers_.end() || it->second.failures < max_failures_) return std::nullopt;
  auto ends = it->second.start + window_;
  if (now >= ends) return std::nullopt;
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(ends - now));
}

void FailureThrottle::record_failure(const std::string& peer_address, Clock::time_point now) {
  auto it = peers_.find(peer_address);
  if (it == peers_.end()) {
    if (peers_.size() >= max_peers_) {
      std::erase_if(peers_, [&](const auto& p) { return now - p.second.start >= window_; });
      if (peers_.size() >= max_peers_) {
        auto oldest = std::min_element(peers_.begin(), peers_.end(), [](const auto& a, const auto& b) {
          return a.second.start < b.second.start;
        });
        peers_.erase(oldest);
      }
    }
    it = peers_.emplace(peer_address, Window{now, 0}).first;
  }
  if (now - it->second.start >= window_) it->second = Window{now, 0};
  ++it->second.failures;
}

}  // namespace nexus_mde::agent
