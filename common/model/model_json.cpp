#include "common/model/model_json.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/model/model_builder.hpp"
#include "common/sys/text.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

// Merges a wire-form "raw" object back into the leftovers, so raw survives a round trip.
json::object leftovers_with_raw(const ObjectReader& r) {
  json::object out = r.leftovers();
  auto it = out.find("raw");
  if (it != out.end() && it->value().is_object()) {
    json::object inner = it->value().get_object();
    out.erase(it);
    for (auto& kv : inner) out.emplace(kv.key(), kv.value());
  }
  return out;
}

const json::object* require_object(const json::value& v, const std::string& path, Error& err) {
  if (const auto* o = v.if_object()) return o;
  err = make_error("expected an object, found " + std::string(kind_name(v)), path);
  return nullptr;
}

// One record through the ModelBuilder, the single mapping for scans, threats and quarantine.
template <typename Pick>
auto build_one(ModelRoot root, const json::value& value, const std::string& path, Pick&& pick)
    -> Result<std::decay_t<decltype(pick(std::declval<ModelBuilder&>()).front())>> {
  auto items = build_from_tree(root, value, path, pick);
  if (!items) return items.error();
  if (items->empty()) return make_error("no record", path);
  return std::move(items->front());
}

}  // namespace

Result<Health> health_from_json(const json::object& object, const std::string& path,
                                std::vector<std::string>* warnings) {
  ObjectReader r(object, path);
  r.collect_warnings(warnings);
  Health h;
  h.healthy = r.flag({"healthy"});
  h.licensed = r.flag({"licensed"});
  h.health_issues = r.strings({"healthIssues", "health_issues"});
  h.app_version = r.text({"appVersion", "app_version"});
  h.engine_version = r.text({"engineVersion", "engine_version"});
  h.org_id = r.text({"orgId", "org_id"});
  h.machine_guid = r.text({"machineGuid", "machine_guid"});
  h.edr_machine_id = r.text({"edrMachineId", "edr_machine_id"});
  h.release_ring = r.text({"releaseRing", "release_ring"});
  h.product_expiration_ms = r.time_ms({"productExpiration", "product_expiration"});
  h.real_time_protection_enabled = r.flag({"realTimeProtectionEnabled", "real_time_protection_enabled"});
  h.real_time_protection_available =
      r.flag({"realTimeProtectionAvailable", "real_time_protection_available"});
  h.real_time_protection_subsystem =
      r.text({"realTimeProtectionSubsystem", "real_time_protection_subsystem"});
  h.passive_mode_enabled = r.flag({"passiveModeEnabled", "passive_mode_enabled"});
  h.behavior_monitoring = r.text({"behaviorMonitoring", "behavior_monitoring"});
  h.tamper_protection = r.text({"tamperProtection", "tamper_protection"});
  h.enforcement_level = r.text({"enforcementLevel", "enforcement_level"});
  h.automatic_definition_update_enabled =
      r.flag({"automaticDefinitionUpdateEnabled", "automatic_definition_update_enabled"});
  h.definitions_version = r.text({"definitionsVersion", "definitions_version"});
  if (const json::value* status = r.find({"definitionsStatus", "definitions_status"})) {
    // JSON: {"$type":"upToDate"}; text: "up_to_date"; legacy text: "upToDate". One spelling: snake_case.
    const json::value* name = status;
    if (const auto* so = status->if_object()) {
      auto t = so->find("$type");
      name = t != so->end() ? &t->value() : nullptr;
    }
    if (name && name->is_string()) {
      h.definitions_status = enum_spelling(name->get_string());
    } else {
      r.fail("expected a string or {\"$type\":…}, found " + std::string(kind_name(*status)),
             "definitionsStatus");
    }
  }
  h.definitions_updated_ms = r.time_ms({"definitionsUpdated", "definitions_updated"});
  h.definitions_updated_minutes_ago =
      r.count({"definitionsUpdatedMinutesAgo", "definitions_updated_minutes_ago"});
  if (const json::value* m = r.find({"managed"})) {
    if (m->is_array()) {
      for (const auto& e : m->get_array()) {
        if (e.is_string()) h.managed.emplace_back(e.get_string());
      }
    }
  }
  for (const auto& name : r.managed()) {
    std::string camel = snake_to_camel(name);
    if (std::find(h.managed.begin(), h.managed.end(), camel) == h.managed.end()) h.managed.push_back(camel);
  }
  if (r.failed()) return r.error();
  h.raw = leftovers_with_raw(r);
  // Unwrap managed-setting objects left in raw to their value, keeping "managed" in the list.
  for (auto& kv : h.raw) {
    bool managed = false;
    if (const json::value* inner = setting_value(kv.value(), managed)) {
      if (managed) h.managed.emplace_back(kv.key());
      json::value value = *inner;
      kv.value() = std::move(value);
    }
  }
  return h;
}

Result<Threat> threat_from_json(const json::value& value, const std::string& path) {
  return build_one(
      ModelRoot::kThreat, value, path, [](ModelBuilder & b) -> auto& { return b.threats(); });
}

Result<QuarantineEntry> quarantine_entry_from_json(const json::value& value, const std::string& path) {
  return build_one(
      ModelRoot::kQuarantineEntry, value, path, [](ModelBuilder & b) -> auto& { return b.quarantine(); });
}

Result<ScanRecord> scan_from_json(const json::value& value, const std::string& path) {
  return build_one(
      ModelRoot::kScan, value, path, [](ModelBuilder & b) -> auto& { return b.scans(); });
}

Result<EnforcementReading> enforcement_reading_from_json(const json::value& value, const std::string& path) {
  Error err;
  const json::object* o = require_object(value, path, err);
  if (!o) return err;
  ObjectReader r(*o, path);
  EnforcementReading e;
  if (auto level = r.text({"level"})) {
    auto parsed = parse_enforcement_level(*level);
    if (!parsed) return make_error(parsed.error().message, r.path_of("level"));
    e.level = *parsed;
  }
  e.inferred = r.flag({"inferred"}).value_or(false);
  e.consistent = r.flag({"consistent"}).value_or(true);
  e.note = r.text({"note"}).value_or("");
  if (const json::value* m = r.find({"mdatp"}); m && m->is_object()) {
    ObjectReader f(m->get_object(), r.path_of("mdatp"));
    e.facts.service_running = f.flag({"serviceRunning"});
    e.facts.enforcement_level = f.text({"enforcementLevel"});
    e.facts.real_time_protection = f.flag({"realTimeProtectionEnabled"});
    e.facts.passive_mode = f.flag({"passiveModeEnabled"});
    if (f.failed()) return f.error();
  }
  if (r.failed()) return r.error();
  return e;
}

namespace {

template <typename T, typename Fn>
bool read_list(ObjectReader& r, const char* key, std::vector<T>& out, Fn&& read_one, Error& err) {
  const json::value* v = r.find({key});
  if (!v) return true;
  const auto* arr = v->if_array();
  if (!arr) {
    err = make_error("expected a list, found " + std::string(kind_name(*v)), r.path_of(key));
    return false;
  }
  for (std::size_t i = 0; i < arr->size(); ++i) {
    auto item = read_one((*arr)[i], element_path(r.path_of(key), i));
    if (!item) {
      err = item.error();
      return false;
    }
    out.push_back(std::move(*item));
  }
  return true;
}

}  // namespace

Result<NodeSnapshot> snapshot_from_json(const json::value& value) {
  Error err;
  const json::object* o = require_object(value, "", err);
  if (!o) return err;
  ObjectReader r(*o, "");
  NodeSnapshot n;
  n.node = r.text({"node"}).value_or("");
  if (const json::value* h = r.find({"health"})) {
    if (!h->is_object())
      return make_error("expected an object, found " + std::string(kind_name(*h)), "health");
    std::vector<std::string> odd_fields;
    auto health = health_from_json(h->get_object(), "health", &odd_fields);
    if (!health) return health.error();
    for (auto& w : odd_fields) n.warnings.push_back({"health", std::move(w)});
    n.health = std::move(*health);
  }
  if (const json::value* e = r.find({"enforcement"})) {
    auto reading = enforcement_reading_from_json(*e, "enforcement");
    if (!reading) return reading.error();
    n.enforcement = std::move(*reading);
  }
  if (!read_list(r, "scans", n.scans, scan_from_json, err) ||
      !read_list(r, "threats", n.threats, threat_from_json, err) ||
      !read_list(r, "quarantine", n.quarantine, quarantine_entry_from_json, err)) {
    return err;
  }
  for (auto [key, list] : {std::pair{"errors", &n.errors}, std::pair{"warnings", &n.warnings}}) {
    const json::value* items = r.find({key});
    if (!items || !items->is_array()) continue;
    for (const auto& e : items->get_array()) {
      if (const auto* eo = e.if_object()) {
        ObjectReader er(*eo, key);
        list->push_back({er.text({"source"}).value_or(""), er.text({"message"}).value_or("")});
      }
    }
  }
  n.collected_at_ms = r.time_ms({"collectedAt"}).value_or(0);
  n.stale = r.flag({"stale"}).value_or(false);
  if (r.failed()) return r.error();
  return n;
}

}  // namespace nexus_mde
