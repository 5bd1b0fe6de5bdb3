#include "plugin/arm/machine_snapshot.hpp"

#include <boost/json.hpp>

#include "common/model/enforcement.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

std::optional<std::string> text_field(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// "Healthy"/"Unhealthy", "Licensed"/"Unlicensed": unknown for anything else.
std::optional<bool> verdict(const json::object& o, const char* key, const char* yes, const char* no) {
  auto text = text_field(o, key);
  if (text == yes) return true;
  if (text == no) return false;
  return std::nullopt;
}

}  // namespace

bool has_runtime_protection_status(const ArmMachine& machine) {
  return !machine.runtime_protection_status.empty();
}

NodeSnapshot snapshot_from_arm(const ArmMachine& machine, std::int64_t now_ms) {
  const json::object& rps = machine.runtime_protection_status;
  NodeSnapshot s;
  s.node = machine.name;
  s.collected_at_ms = now_ms;
  Health h;
  h.healthy = verdict(rps, "agentHealthStatus", "Healthy", "Unhealthy");
  h.licensed = verdict(rps, "agentLicenseStatus", "Licensed", "Unlicensed");
  if (const json::value* issues = rps.if_contains("agentHealthStatusIssues"); issues && issues->is_array()) {
    std::vector<std::string> list;
    for (const auto& i : issues->as_array()) {
      if (i.is_string()) list.emplace_back(i.as_string());
    }
    h.health_issues = std::move(list);
  }
  h.definitions_version = text_field(rps, "definitionsVersion");
  h.definitions_updated_ms = machine.status_time_ms("definitionsLastUpdated");
  s.health = std::move(h);
  if (auto level = parse_enforcement_level(machine.enforcement_level())) s.enforcement.level = *level;
  auto started = machine.status_time_ms("scanStartedTime");
  auto completed = machine.status_time_ms("scanCompletedTime");
  if (started || completed) {
    ScanRecord scan;
    scan.start_ms = started;
    // A completion older than the start belongs to the scan before: this one is still running.
    if (completed && (!started || *completed >= *started)) scan.end_ms = completed;
    // ARM gives times only, not the type or mdatp's verdict.
    scan.state = scan.end_ms ? "completed" : "running";
    s.scans.push_back(scan);
  }
  return s;
}

}  // namespace nexus_mde::plugin
