#include "agent/metrics/metrics.hpp"

#include <cstdio>

namespace nexus_mde::agent {

namespace {

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

// <name>_sum{<label>="…"} and <name>_count{…} lines of a summary without quantiles.
void Metrics::render_durations(std::string& out, const char* name, const char* label,
                               const std::map<std::string, Duration>& durations) {
  for (const auto& [value, d] : durations) {
    std::string labels = std::string("{") + label + "=\"" + value + "\"} ";
    out += std::string(name) + "_sum" + labels + number(d.sum_seconds) + "\n";
    out += std::string(name) + "_count" + labels + std::to_string(d.count) + "\n";
  }
}

void Metrics::count_request(const std::string& route, unsigned status, std::chrono::microseconds duration) {
  ++requests_[{route, status}];
  auto& d = request_durations_[route];
  ++d.count;
  d.sum_seconds += static_cast<double>(duration.count()) / 1e6;
}

void Metrics::count_mdatp_call(const std::string& command, const std::string& outcome, std::chrono::milliseconds duration) {
  ++mdatp_calls_[{command, outcome}];
  auto& d = mdatp_durations_[command];
  ++d.count;
  d.sum_seconds += static_cast<double>(duration.count()) / 1e3;
}

void Metrics::count_auth_failure(const std::string& reason) { ++auth_failures_[reason]; }

std::string Metrics::render(std::int64_t now_ms) const {
  std::string out;
  header(out, "nexus_mde_agent_http_requests_total", "counter", "HTTP requests answered, by route and status.");
  for (const auto& [key, n] : requests_) {
    out += "nexus_mde_agent_http_requests_total{route=\"" + key.first + "\",status=\"" + std::to_string(key.second) +
           "\"} " + std::to_string(n) + "\n";
  }
  header(out, "nexus_mde_agent_http_request_duration_seconds", "summary", "Time from request read to response ready.");
  render_durations(out, "nexus_mde_agent_http_request_duration_seconds", "route", request_durations_);
  header(out, "nexus_mde_agent_mdatp_calls_total", "counter", "mdatp runs, by command and outcome.");
  for (const auto& [key, n] : mdatp_calls_) {
    out += "nexus_mde_agent_mdatp_calls_total{command=\"" + key.first + "\",outcome=\"" + key.second + "\"} " +
           std::to_string(n) + "\n";
  }
  header(out, "nexus_mde_agent_mdatp_call_duration_seconds", "summary", "mdatp run time, by command.");
  render_durations(out, "nexus_mde_agent_mdatp_call_duration_seconds", "command", mdatp_durations_);
  header(out, "nexus_mde_agent_auth_failures_total", "counter", "Rejected authentications, by reason.");
  for (const auto& [reason, n] : auth_failures_) {
    out += "nexus_mde_agent_auth_failures_total{reason=\"" + reason + "\"} " + std::to_string(n) + "\n";
  }
  header(out, "nexus_mde_agent_refused_connections_total", "counter", "Connections closed at once: max connections open, or too many from one address still in the TLS handshake.");
  out += "nexus_mde_agent_refused_connections_total " + std::to_string(refused_connections_) + "\n";
  header(out, "nexus_mde_agent_evicted_handshakes_total", "counter",
         "Connections still in the TLS handshake closed to make room for newer ones.");
  out += "nexus_mde_agent_evicted_handshakes_total " + std::to_string(evicted_handshakes_) + "\n";
  header(out, "nexus_mde_agent_open_connections", "gauge", "Connections open now.");
  out += "nexus_mde_agent_open_connections " + std::to_string(open_connections_) + "\n";
  header(out, "nexus_mde_agent_snapshot_age_seconds", "gauge", "Age of the MDE snapshot being served (absent before the first).");
  if (snapshot_.collected_at_ms) {
    out += "nexus_mde_agent_snapshot_age_seconds " + number(static_cast<double>(now_ms - *snapshot_.collected_at_ms) / 1e3) + "\n";
  }
  header(out, "nexus_mde_agent_snapshot_stale", "gauge", "1 when the last refresh failed and an older snapshot is served.");
  out += "nexus_mde_agent_snapshot_stale " + std::string(snapshot_.stale ? "1" : "0") + "\n";
  header(out, "nexus_mde_agent_mde_healthy", "gauge", "mdatp's healthy flag (absent when unknown).");
  if (snapshot_.healthy) out += "nexus_mde_agent_mde_healthy " + std::string(*snapshot_.healthy ? "1" : "0") + "\n";
  header(out, "nexus_mde_agent_mde_threats", "gauge", "Threats mdatp lists.");
  out += "nexus_mde_agent_mde_threats " + std::to_string(snapshot_.threats) + "\n";
  header(out, "nexus_mde_agent_scan_running", "gauge", "1 while a scan triggered through the agent runs.");
  out += "nexus_mde_agent_scan_running " + std::string(scan_running_ ? "1" : "0") + "\n";
  return out;
}

}  // namespace nexus_mde::agent
