#include "common/model.hpp"

#include <boost/json.hpp>

#include "common/model_json.hpp"
#include "common/text.hpp"
#include "common/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

template <typename T>
json::value opt(const std::optional<T>& v) {
  if (!v) return nullptr;
  return json::value_from(*v);
}

void put_raw(json::object& o, const json::object& raw) {
  if (!raw.empty()) o["raw"] = raw;
}

}  // namespace

json::value optional_time(const std::optional<std::int64_t>& ms) {
  if (!ms) return nullptr;
  auto s = format_rfc3339_ms(*ms);
  if (!s) return nullptr;  // readers already reject out-of-range times
  return json::value(*s);
}

std::optional<std::int64_t> ScanRecord::duration_ms() const {
  if (start_ms && end_ms && *end_ms >= *start_ms) return *end_ms - *start_ms;
  return std::nullopt;
}

MdatpEnforcementFacts enforcement_facts(const Health& h) {
  MdatpEnforcementFacts f;
  f.service_running = true;  // a Health exists only when mdatp answered
  f.enforcement_level = h.enforcement_level;
  f.real_time_protection = h.real_time_protection_enabled;
  f.passive_mode = h.passive_mode_enabled;
  return f;
}

// ---- writers (wire form) ----

void tag_invoke(const json::value_from_tag&, json::value& jv, const Health& h) {
  json::object o;
  o["healthy"] = opt(h.healthy);
  o["licensed"] = opt(h.licensed);
  o["healthIssues"] = opt(h.health_issues);
  o["appVersion"] = opt(h.app_version);
  o["engineVersion"] = opt(h.engine_version);
  o["orgId"] = opt(h.org_id);
  o["machineGuid"] = opt(h.machine_guid);
  o["edrMachineId"] = opt(h.edr_machine_id);
  o["releaseRing"] = opt(h.release_ring);
  o["productExpiration"] = optional_time(h.product_expiration_ms);
  o["realTimeProtectionEnabled"] = opt(h.real_time_protection_enabled);
  o["realTimeProtectionAvailable"] = opt(h.real_time_protection_available);
  o["realTimeProtectionSubsystem"] = opt(h.real_time_protection_subsystem);
  o["passiveModeEnabled"] = opt(h.passive_mode_enabled);
  o["behaviorMonitoring"] = opt(h.behavior_monitoring);
  o["tamperProtection"] = opt(h.tamper_protection);
  o["enforcementLevel"] = opt(h.enforcement_level);
  o["automaticDefinitionUpdateEnabled"] = opt(h.automatic_definition_update_enabled);
  o["definitionsVersion"] = opt(h.definitions_version);
  o["definitionsStatus"] = opt(h.definitions_status);
  o["definitionsUpdated"] = optional_time(h.definitions_updated_ms);
  o["definitionsUpdatedMinutesAgo"] = opt(h.definitions_updated_minutes_ago);
  o["managed"] = json::value_from(h.managed);
  put_raw(o, h.raw);
  jv = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const Threat& t) {
  json::object o;
  o["id"] = opt(t.id);
  o["name"] = opt(t.name);
  o["type"] = opt(t.type);
  o["status"] = opt(t.status);
  o["path"] = opt(t.path);
  o["detectionTime"] = optional_time(t.detected_ms);
  if (t.scan_type) o["scanType"] = *t.scan_type;
  if (t.scan_start_ms) o["scanStartTime"] = optional_time(t.scan_start_ms);
  put_raw(o, t.raw);
  jv = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const QuarantineEntry& q) {
  json::object o;
  o["id"] = opt(q.id);
  o["name"] = opt(q.name);
  o["type"] = opt(q.type);
  o["path"] = opt(q.path);
  o["quarantineTime"] = optional_time(q.quarantined_ms);
  put_raw(o, q.raw);
  jv = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const ScanRecord& s) {
  json::object o;
  if (s.id) o["id"] = *s.id;
  o["type"] = opt(s.type);
  o["state"] = opt(s.state);
  o["startTime"] = optional_time(s.start_ms);
  o["endTime"] = optional_time(s.end_ms);
  o["durationMs"] = opt(s.duration_ms());
  o["filesScanned"] = opt(s.files_scanned);
  o["threatCount"] = opt(s.threat_count);
  o["threats"] = json::value_from(s.threats);
  put_raw(o, s.raw);
  jv = std::move(o);
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const SnapshotError& e) {
  jv = {{"source", e.source}, {"message", e.message}};
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const NodeSnapshot& n) {
  json::object o;
  o["node"] = n.node;
  o["health"] = opt(n.health);
  o["enforcement"] = json::value_from(n.enforcement);
  o["scans"] = json::value_from(n.scans);
  o["threats"] = json::value_from(n.threats);
  o["quarantine"] = json::value_from(n.quarantine);
  o["errors"] = json::value_from(n.errors);
  o["collectedAt"] = optional_time(n.collected_at_ms);
  o["stale"] = n.stale;
  jv = std::move(o);
}

}  // namespace nexus_mde
