#include "common/model/model.hpp"

#include <boost/json.hpp>

#include "common/model/model_json.hpp"
#include "common/model/model_wire.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

// Values are built in the storage of the object they go into, so that a caller can write a
// record's wire form into an arena (value_from(record, arena)) without a malloc per field.
template <typename T>
json::value opt(const std::optional<T>& v, const json::storage_ptr& sp) {
  if (!v) return json::value(nullptr, sp);
  return json::value_from(*v, sp);
}

json::value time_value(const std::optional<std::int64_t>& ms, const json::storage_ptr& sp) {
  if (!ms) return json::value(nullptr, sp);
  auto s = format_rfc3339_ms(*ms);
  if (!s) return json::value(nullptr, sp);  // readers already reject out-of-range times
  return json::value(json::string_view(s->data(), s->size()), sp);
}

void put_raw(json::object& o, const json::object& raw) {
  if (!raw.empty()) o["raw"] = json::value(raw, o.storage());
}

}  // namespace

json::value optional_time(const std::optional<std::int64_t>& ms) { return time_value(ms, {}); }

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
  json::object o(jv.storage());
  const json::storage_ptr& sp = o.storage();
  o["healthy"] = opt(h.healthy, sp);
  o["licensed"] = opt(h.licensed, sp);
  o["healthIssues"] = opt(h.health_issues, sp);
  o["appVersion"] = opt(h.app_version, sp);
  o["engineVersion"] = opt(h.engine_version, sp);
  o["orgId"] = opt(h.org_id, sp);
  o["machineGuid"] = opt(h.machine_guid, sp);
  o["edrMachineId"] = opt(h.edr_machine_id, sp);
  o["releaseRing"] = opt(h.release_ring, sp);
  o["productExpiration"] = time_value(h.product_expiration_ms, sp);
  o["realTimeProtectionEnabled"] = opt(h.real_time_protection_enabled, sp);
  o["realTimeProtectionAvailable"] = opt(h.real_time_protection_available, sp);
  o["realTimeProtectionSubsystem"] = opt(h.real_time_protection_subsystem, sp);
  o["passiveModeEnabled"] = opt(h.passive_mode_enabled, sp);
  o["behaviorMonitoring"] = opt(h.behavior_monitoring, sp);
  o["tamperProtection"] = opt(h.tamper_protection, sp);
  o["enforcementLevel"] = opt(h.enforcement_level, sp);
  o["automaticDefinitionUpdateEnabled"] = opt(h.automatic_definition_update_enabled, sp);
  o["definitionsVersion"] = opt(h.definitions_version, sp);
  o["definitionsStatus"] = opt(h.definitions_status, sp);
  o["definitionsUpdated"] = time_value(h.definitions_updated_ms, sp);
  o["definitionsUpdatedMinutesAgo"] = opt(h.definitions_updated_minutes_ago, sp);
  o["managed"] = json::value_from(h.managed, sp);
  put_raw(o, h.raw);
  jv = std::move(o);
}

namespace {

// describe_wire's Out for a Boost.JSON tree, built in the target value's storage.
class ObjectOut {
 public:
  explicit ObjectOut(json::object& o) : o_(o), sp_(o.storage()) {}
  void text(std::string_view name, const std::optional<std::string>& v) { o_[name] = opt(v, sp_); }
  void time(std::string_view name, const std::optional<std::int64_t>& ms) { o_[name] = time_value(ms, sp_); }
  void number(std::string_view name, const std::optional<std::int64_t>& v) { o_[name] = opt(v, sp_); }
  void raw(const json::object& raw) { put_raw(o_, raw); }
  template <typename Record>
  void records(std::string_view name, const std::vector<Record>& items) {
    o_[name] = json::value_from(items, sp_);
  }

 private:
  json::object& o_;
  const json::storage_ptr& sp_;
};

template <typename Record>
void record_to_value(json::value& jv, const Record& r) {
  json::object o(jv.storage());
  ObjectOut out(o);
  describe_wire(out, r);
  jv = std::move(o);
}

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& jv, const Threat& t) { record_to_value(jv, t); }
void tag_invoke(const json::value_from_tag&, json::value& jv, const QuarantineEntry& q) {
  record_to_value(jv, q);
}
void tag_invoke(const json::value_from_tag&, json::value& jv, const ScanRecord& s) { record_to_value(jv, s); }

void tag_invoke(const json::value_from_tag&, json::value& jv, const SnapshotError& e) {
  jv = json::object({{"source", e.source}, {"message", e.message}}, jv.storage());
}

void tag_invoke(const json::value_from_tag&, json::value& jv, const NodeSnapshot& n) {
  json::object o(jv.storage());
  const json::storage_ptr& sp = o.storage();
  o["node"] = json::value_from(n.node, sp);
  o["health"] = opt(n.health, sp);
  o["enforcement"] = json::value_from(n.enforcement, sp);
  o["scans"] = json::value_from(n.scans, sp);
  o["threats"] = json::value_from(n.threats, sp);
  o["quarantine"] = json::value_from(n.quarantine, sp);
  o["errors"] = json::value_from(n.errors, sp);
  o["warnings"] = json::value_from(n.warnings, sp);
  o["collectedAt"] = time_value(n.collected_at_ms, sp);
  o["stale"] = n.stale;
  jv = std::move(o);
}

}  // namespace nexus_mde
