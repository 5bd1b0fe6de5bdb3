// The agent's Prometheus metrics (text exposition format 0.0.4). Updated and rendered on the event
// loop only, so no locking. Label values come from a closed set (routes, statuses, commands,
// outcomes), never from the request, so a client cannot grow the series without bound. Every
// known label value is there from the start at 0, so rate() and alerts see a series before its
// first event. What mdatp has not reported is absent, never 0 (docs/agent.md lists the metrics).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nexus_mde::agent {

struct SnapshotGauges {
  std::optional<std::int64_t> collected_at_ms;  // of the snapshot being served; none before the first
  std::optional<bool> healthy;
  std::optional<bool> real_time_protection;
  std::optional<std::int64_t> definitions_updated_ms;
  std::optional<std::string> enforcement_level;  // Microsoft.NetworkCloud's name: OnDemand, RealTime, …
  std::size_t threats = 0;
  std::size_t quarantined = 0;
  std::optional<std::int64_t> last_scan_end_ms;  // the newest scan that ended
  std::optional<bool> last_scan_succeeded;
  bool stale = false;
};

// A Prometheus histogram: cumulative buckets by upper bound, plus sum and count.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds) : bounds_(&bounds), counts_(bounds.size(), 0) {}
  void observe(double seconds);
  void render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  const std::vector<double>* bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not yet cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

class Metrics {
 public:
  Metrics();
  void count_request(const std::string& route, unsigned status, std::chrono::microseconds duration);
  void count_mdatp_call(const std::string& command, const std::string& outcome,
                        std::chrono::milliseconds duration);
  void count_auth_failure(const std::string& reason);  // no-credentials, bad-token, ...
  void count_refused_connection() { ++refused_connections_; }
  void count_evicted_handshake() { ++evicted_handshakes_; }
  void set_snapshot(const SnapshotGauges& gauges) { snapshot_ = gauges; }
  void set_scan_running(bool running) { scan_running_ = running; }
  void set_open_connections(std::size_t n) { open_connections_ = n; }

  std::string render(std::int64_t now_ms) const;

 private:
  void render_http(std::string& out) const;
  void render_mdatp(std::string& out) const;
  void render_connections(std::string& out) const;
  void render_snapshot(std::string& out, std::int64_t now_ms) const;

  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> request_durations_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> mdatp_calls_;
  std::map<std::string, Histogram> mdatp_durations_;
  std::map<std::string, std::uint64_t> auth_failures_;
  std::uint64_t refused_connections_ = 0;
  std::uint64_t evicted_handshakes_ = 0;
  std::size_t open_connections_ = 0;
  SnapshotGauges snapshot_;
  bool scan_running_ = false;
};

// process_* as the Prometheus client libraries write them, read from /proc/self (Linux).
void render_process_metrics(std::string& out);

}  // namespace nexus_mde::agent
