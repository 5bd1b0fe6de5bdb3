// The agent's view of one HTTP exchange, without Beast: the routes, authentication and metrics
// are written (and unit-tested) against these, and only http_server.cpp knows the wire.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus_mde::agent {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // "/v1/scans/7f3a?wait=30"
  std::string authorization;  // the Authorization header, empty when absent
  std::string if_match;       // the If-Match header (conditional writes; the ARM emulator's PATCH)
  std::string body;
  std::string peer_address;  // "127.0.0.5" or "::1": the unit auth failures are throttled by
  std::string peer;          // "127.0.0.5:40112", for the journal
  std::vector<std::string> certificate_identities;  // CN and SANs of a verified client certificate
  std::chrono::steady_clock::time_point received{};
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra: Location, Allow, Retry-After
};

// {"error":{"code":"…","message":"…"}} with the given status.
HttpResponse json_error(unsigned status, std::string_view code, std::string_view message);

// Completes a request; called exactly once, on the server's event loop, possibly later (a
// long-poll, a wait for a snapshot refresh).
using Responder = std::function<void(HttpResponse)>;

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual void handle(HttpRequest request, Responder respond) = 0;
  // A request the server answered itself (413, 431, 400 for malformed HTTP), for metrics and logs.
  virtual void on_rejected_request(const std::string& peer, unsigned status, std::string_view reason) = 0;
  // A TLS handshake that failed; `reason` names a certificate verification failure when that was it.
  virtual void on_handshake_failure(const std::string& peer_address, const std::string& peer,
                                    std::string_view reason) = 0;
  // A connection closed at once: max connections open, or too many from its address still in the
  // TLS handshake; `reason` says which.
  virtual void on_connection_refused(const std::string& peer, std::string_view reason) = 0;
  // A connection still in the TLS handshake closed to make room for a newer one.
  virtual void on_handshake_evicted(const std::string& peer) = 0;
};

}  // namespace nexus_mde::agent
