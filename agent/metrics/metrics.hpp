// The agent's Prometheus metrics (text exposition format 0.0.4). Updated and rendered on the event
// loop only, so no locking. Label values come from a closed set (routes, statuses, commands,
// outcomes), never from the request, so a client cannot grow the series without bound.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace nexus_mde::agent {

struct SnapshotGauges {
  std::optional<std::int64_t> collected_at_ms;  // of the snapshot being served
  std::optional<bool> healthy;
  std::size_t threats = 0;
  bool stale = false;
};

class Metrics {
 public:
  void count_request(const std::string& route, unsigned status, std::chrono::microseconds duration);
  void count_mdatp_call(const std::string& command, const std::string& outcome, std::chrono::milliseconds duration);
  void count_auth_failure(const std::string& reason);  // no-credentials, bad-token, ...
  void count_refused_connection() { ++refused_connections_; }
  void count_evicted_handshake() { ++evicted_handshakes_; }
  void set_snapshot(const SnapshotGauges& gauges) { snapshot_ = gauges; }
  void set_scan_running(bool running) { scan_running_ = running; }
  void set_open_connections(std::size_t n) { open_connections_ = n; }

  std::string render(std::int64_t now_ms) const;

 private:
  struct Duration {
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  static void render_durations(std::string& out, const char* name, const char* label,
                               const std::map<std::string, Duration>& durations);

  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Duration> request_durations_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> mdatp_calls_;
  std::map<std::string, Duration> mdatp_durations_;
  std::map<std::string, std::uint64_t> auth_failures_;
  std::uint64_t refused_connections_ = 0;
  std::uint64_t evicted_handshakes_ = 0;
  std::size_t open_connections_ = 0;
  SnapshotGauges snapshot_;
  bool scan_running_ = false;
};

}  // namespace nexus_mde::agent
