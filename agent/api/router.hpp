// The agent's HTTP API (v1): authentication first on every route, then the route.
//   GET  /v1/status              the whole NodeSnapshot
//   GET  /v1/scans               mdatp's scan history, and the scans triggered through the agent
//   GET  /v1/threats             threats and quarantine
//   POST /v1/scans               {"type":"quick"|"full"} -> 202 {scan}, Location; 409 while one runs
//   GET  /v1/scans/{id}?wait=S   the scan; with wait, answered when it ends or after S seconds (max 300)
//   POST /v1/detection-test      writes EICAR to a new file, proves MDE catches it -> 200 {result}; 409 while
//   one runs GET  /metrics                Prometheus text
// Errors are {"error":{"code","message"}}. Auth failures are audited and throttled per peer (429).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "agent/auth/authenticator.hpp"
#include "agent/detection/detection_tester.hpp"
#include "agent/log/event_log.hpp"
#include "agent/metrics/metrics.hpp"
#include "agent/scans/scan_manager.hpp"
#include "agent/server/http_types.hpp"
#include "agent/snapshot/snapshot_cache.hpp"

namespace nexus_mde::agent {

inline constexpr int kMaxWaitSeconds = 300;

class Router : public RequestHandler {
 public:
  Router(SnapshotCache& cache, ScanManager& scans, DetectionTester& detection, Metrics& metrics,
         const EventLog& log, Authenticator authenticator, std::function<std::size_t()> open_connections);

  void set_authenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }

  void handle(HttpRequest request, Responder respond) override;
  void on_rejected_request(const std::string& peer, unsigned status, std::string_view reason) override;
  void on_handshake_failure(const std::string& peer_address, const std::string& peer,
                            std::string_view reason) override;
  void on_connection_refused(const std::string& peer, std::string_view reason) override;
  void on_handshake_evicted(const std::string& peer) override;

 private:
  void route(const HttpRequest& request, const std::string& identity, std::string_view path,
             std::string_view query, Responder respond);
  void trigger_scan(const HttpRequest& request, const std::string& identity, Responder respond);
  void get_scan(const std::string& id, std::string_view query, Responder respond);
  void test_detection(const HttpRequest& request, const std::string& identity, Responder respond);
  void serve_snapshot(std::string CachedSnapshot::*body, bool with_triggers, Responder respond);
  void audit_auth_failure(const HttpRequest& request, const AuthDecision& decision, std::string_view route);

  SnapshotCache& cache_;
  ScanManager& scans_;
  DetectionTester& detection_;
  Metrics& metrics_;
  const EventLog& log_;
  Authenticator authenticator_;
  FailureThrottle throttle_;
  std::function<std::size_t()> open_connections_;
  // Refused connections are logged at most once per 10 s, with how many there were since: a
  // flood must not flood the journal too.
  std::chrono::steady_clock::time_point last_refusal_log_{};
  std::uint64_t refusals_unlogged_ = 0;
};

// "/v1/scans/{id}" for "/v1/scans/7f3a", the path itself for the fixed routes, "other" otherwise:
// the route label of metrics and journal entries (never the raw, client-chosen path).
std::string_view route_label(std::string_view path);

}  // namespace nexus_mde::agent
