#include "agent/metrics/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/sys/build_info.hpp"

namespace nexus_mde::agent {

namespace {

// Request times are milliseconds; mdatp runs from tens of milliseconds to its 30 s timeout.
const std::vector<double> kRequestBounds{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
const std::vector<double> kMdatpBounds{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

// The label values known in advance (router.cpp's routes, collector.cpp's commands).
const std::vector<std::string> kRoutes{"/v1/status",         "/v1/scans", "/v1/scans/{id}", "/v1/threats",
                                       "/v1/detection-test", "/metrics",  "other"};
const std::vector<std::string> kMdatpCommands{"health", "scan list", "threat list", "threat quarantine list"};
const std::vector<std::string> kMdatpOutcomes{"ok", "timeout", "exit-error"};
const std::vector<std::string> kAuthReasons{"no-credentials", "bad-token", "unknown-identity", "wrong-role",
                                            "bad-certificate"};

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void gauge(std::string& out, const char* name, const char* help, std::optional<double> value) {
  header(out, name, "gauge", help);
  if (value) out += std::string(name) + ' ' + number(*value) + '\n';
}

std::optional<double> flag(std::optional<bool> b) {
  return b ? std::optional<double>(*b ? 1 : 0) : std::nullopt;
}

std::optional<double> seconds(std::optional<std::int64_t> ms) {
  return ms ? std::optional<double>(static_cast<double>(*ms) / 1e3) : std::nullopt;
}

}  // namespace

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_->size() && value > (*bounds_)[i]) ++i;
  if (i < counts_.size()) ++counts_[i];
  ++count_;
  sum_ += value;
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    out += name + "_bucket{" + labels + ",le=\"" + number((*bounds_)[i]) + "\"} " +
           std::to_string(cumulative) + '\n';
  }
  out += name + "_bucket{" + labels + ",le=\"+Inf\"} " + std::to_string(count_) + '\n';
  out += name + "_sum{" + labels + "} " + number(sum_) + '\n';
  out += name + "_count{" + labels + "} " + std::to_string(count_) + '\n';
}

Metrics::Metrics() {
  for (const auto& route : kRoutes) {
    if (route != "other") requests_[{route, 200}] = 0;
    request_durations_.emplace(route, Histogram(kRequestBounds));
  }
  for (const auto& command : kMdatpCommands) {
    for (const auto& outcome : kMdatpOutcomes) mdatp_calls_[{command, outcome}] = 0;
    mdatp_durations_.emplace(command, Histogram(kMdatpBounds));
  }
  for (const auto& reason : kAuthReasons) auth_failures_[reason] = 0;
}

void Metrics::count_request(const std::string& route, unsigned status, std::chrono::microseconds duration) {
  ++requests_[{route, status}];
  request_durations_.try_emplace(route, kRequestBounds)
      .first->second.observe(static_cast<double>(duration.count()) / 1e6);
}

void Metrics::count_mdatp_call(const std::string& command, const std::string& outcome,
                               std::chrono::milliseconds duration) {
  ++mdatp_calls_[{command, outcome}];
  mdatp_durations_.try_emplace(command, kMdatpBounds)
      .first->second.observe(static_cast<double>(duration.count()) / 1e3);
}

void Metrics::count_auth_failure(const std::string& reason) { ++auth_failures_[reason]; }

void Metrics::render_http(std::string& out) const {
  header(out, "nexus_mde_agent_http_requests_total", "counter",
         "HTTP requests answered, by route and status.");
  for (const auto& [key, n] : requests_) {
    out += "nexus_mde_agent_http_requests_total{route=\"" + key.first + "\",status=\"" +
           std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
  }
  header(out, "nexus_mde_agent_http_request_duration_seconds", "histogram",
         "Time from request read to response ready.");
  for (const auto& [route, h] : request_durations_) {
    h.render(out, "nexus_mde_agent_http_request_duration_seconds", "route=\"" + route + "\"");
  }
  header(out, "nexus_mde_agent_auth_failures_total", "counter", "Rejected authentications, by reason.");
  for (const auto& [reason, n] : auth_failures_) {
    out += "nexus_mde_agent_auth_failures_total{reason=\"" + reason + "\"} " + std::to_string(n) + "\n";
  }
}

void Metrics::render_mdatp(std::string& out) const {
  header(out, "nexus_mde_agent_mdatp_calls_total", "counter", "mdatp runs, by command and outcome.");
  for (const auto& [key, n] : mdatp_calls_) {
    out += "nexus_mde_agent_mdatp_calls_total{command=\"" + key.first + "\",outcome=\"" + key.second +
           "\"} " + std::to_string(n) + "\n";
  }
  header(out, "nexus_mde_agent_mdatp_call_duration_seconds", "histogram", "mdatp run time, by command.");
  for (const auto& [command, h] : mdatp_durations_) {
    h.render(out, "nexus_mde_agent_mdatp_call_duration_seconds", "command=\"" + command + "\"");
  }
}

void Metrics::render_connections(std::string& out) const {
  header(out, "nexus_mde_agent_refused_connections_total", "counter",
         "Connections closed at once: max connections open, or too many from one address still in the TLS "
         "handshake.");
  out += "nexus_mde_agent_refused_connections_total " + std::to_string(refused_connections_) + "\n";
  header(out, "nexus_mde_agent_evicted_handshakes_total", "counter",
         "Connections still in the TLS handshake closed to make room for newer ones.");
  out += "nexus_mde_agent_evicted_handshakes_total " + std::to_string(evicted_handshakes_) + "\n";
  header(out, "nexus_mde_agent_open_connections", "gauge", "Connections open now.");
  out += "nexus_mde_agent_open_connections " + std::to_string(open_connections_) + "\n";
}

// MDE's own state, from the snapshot being served: absent until the first one, and each value
// absent while mdatp does not report it.
void Metrics::render_snapshot(std::string& out, std::int64_t now_ms) const {
  const SnapshotGauges& s = snapshot_;
  const bool have = s.collected_at_ms.has_value();
  gauge(out, "nexus_mde_agent_snapshot_age_seconds", "Age of the MDE snapshot being served.",
        have ? std::optional<double>(static_cast<double>(now_ms - *s.collected_at_ms) / 1e3) : std::nullopt);
  gauge(out, "nexus_mde_agent_snapshot_stale",
        "1 when the last refresh failed and an older snapshot is served.", flag(s.stale));
  gauge(out, "nexus_mde_agent_mde_healthy", "mdatp's healthy flag.", flag(s.healthy));
  gauge(out, "nexus_mde_agent_mde_real_time_protection_enabled", "1 when real-time protection is on.",
        flag(s.real_time_protection));
  gauge(out, "nexus_mde_agent_mde_definitions_updated_timestamp_seconds",
        "When the definitions were last updated.", seconds(s.definitions_updated_ms));
  header(out, "nexus_mde_agent_mde_enforcement_level_info", "gauge",
         "The enforcement level mdatp's state amounts to.");
  if (s.enforcement_level)
    out += "nexus_mde_agent_mde_enforcement_level_info{level=\"" + *s.enforcement_level + "\"} 1\n";
  gauge(out, "nexus_mde_agent_mde_threats", "Threats mdatp lists.",
        have ? std::optional<double>(s.threats) : std::nullopt);
  gauge(out, "nexus_mde_agent_mde_quarantined", "Items in MDE's quarantine.",
        have ? std::optional<double>(s.quarantined) : std::nullopt);
  gauge(out, "nexus_mde_agent_mde_last_scan_end_timestamp_seconds", "When the newest scan that ended, ended.",
        seconds(s.last_scan_end_ms));
  gauge(out, "nexus_mde_agent_mde_last_scan_succeeded",
        "1 when that scan succeeded, 0 when it failed or was interrupted.", flag(s.last_scan_succeeded));
  gauge(out, "nexus_mde_agent_scan_running", "1 while a scan triggered through the agent runs.",
        flag(scan_running_));
}

std::string Metrics::render(std::int64_t now_ms) const {
  std::string out;
  header(out, "nexus_mde_agent_build_info", "gauge", "The agent's version and commit; always 1.");
  out +=
      "nexus_mde_agent_build_info{version=\"" + build_version() + "\",commit=\"" + build_commit() + "\"} 1\n";
  render_process_metrics(out);
  render_http(out);
  render_mdatp(out);
  render_connections(out);
  render_snapshot(out, now_ms);
  return out;
}

void render_process_metrics(std::string& out) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The fields after the command name, which is in parentheses and may hold spaces.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  if (f.size() < 22) return;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // f[0] is the state (field 3): utime is field 14, so f[11]; stime f[12]; starttime f[19];
  // vsize f[20]; rss f[21].
  double boot_time = 0;
  std::ifstream proc_stat("/proc/stat");
  for (std::string line; std::getline(proc_stat, line);) {
    if (line.rfind("btime ", 0) == 0) boot_time = std::stod(line.substr(6));
  }
  std::size_t open_fds = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++open_fds;
  }
  rlimit fds{};
  ::getrlimit(RLIMIT_NOFILE, &fds);
  header(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  out += "process_cpu_seconds_total " + number((std::stod(f[11]) + std::stod(f[12])) / tick) + "\n";
  gauge(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        boot_time + std::stod(f[19]) / tick);
  gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", std::stod(f[20]));
  gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", std::stod(f[21]) * page);
  gauge(out, "process_open_fds", "Number of open file descriptors.", static_cast<double>(open_fds));
  gauge(out, "process_max_fds", "Maximum number of open file descriptors.",
        static_cast<double>(fds.rlim_cur));
}

}  // namespace nexus_mde::agent
