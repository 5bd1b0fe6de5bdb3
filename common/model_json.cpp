#include "common/model_json.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/json_reader.hpp"
#include "common/text.hpp"

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

// The current status of a threat: the value of the history entry with the highest key
// (mdatp's history keys are timestamps).
std::optional<std::string> latest_history_status(const json::value* history) {
  if (!history || !history->is_array()) return std::nullopt;
  const json::value* best_value = nullptr;
  double best_key = -1;
  for (const auto& h : history->get_array()) {
    const auto* o = h.if_object();
    if (!o) continue;
    auto k = o->find("key");
    auto v = o->find("value");
    if (k == o->end() || v == o->end() || !v->value().is_string()) continue;
    double key = 0;
    if (k->value().is_number()) {
      key = k->value().to_number<double>();
    } else if (k->value().is_string()) {
      try { key = std::stod(std::string(k->value().get_string())); } catch (...) { key = 0; }
    }
    if (!best_value || key >= best_key) {
      best_key = key;
      best_value = &v->value();
    }
  }
  if (!best_value) return std::nullopt;
  return std::string(best_value->get_string());
}

}  // namespace

Result<Health> health_from_json(const json::object& object, const std::string& path) {
  ObjectReader r(object, path);
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
  h.real_time_protection_available = r.flag({"realTimeProtectionAvailable", "real_time_protection_available"});
  h.real_time_protection_subsystem = r.text({"realTimeProtectionSubsystem", "real_time_protection_subsystem"});
  h.passive_mode_enabled = r.flag({"passiveModeEnabled", "passive_mode_enabled"});
  h.behavior_monitoring = r.text({"behaviorMonitoring", "behavior_monitoring"});
  h.tamper_protection = r.text({"tamperProtection", "tamper_protection"});
  h.enforcement_level = r.text({"enforcementLevel", "enforcement_level"});
  h.automatic_definition_update_enabled =
      r.flag({"automaticDefinitionUpdateEnabled", "automatic_definition_update_enabled"});
  h.definitions_version = r.text({"definitionsVersion", "definitions_version"});
  if (const json::value* status = r.find({"definitionsStatus", "definitions_status"})) {
    // JSON: {"$type":"upToDate"}; text and wire: "up_to_date".
    if (const auto* so = status->if_object()) {
      auto t = so->find("$type");
      if (t != so->end() && t->value().is_string()) {
        std::string snake;
        for (char c : t->value().get_string()) {
          if (c >= 'A' && c <= 'Z') {
            snake += '_';
            snake += static_cast<char>(c | 0x20);
          } else {
            snake += c;
          }
        }
        h.definitions_status = snake;
      } else {
        r.fail("expected {\"$type\":…}", "definitionsStatus");
      }
    } else if (status->is_string()) {
      h.definitions_status = std::string(status->get_string());
    } else {
      r.fail("expected a string or {\"$type\":…}, found " + std::string(kind_name(*status)), "definitionsStatus");
    }
  }
  h.definitions_updated_ms = r.time_ms({"definitionsUpdated", "definitions_updated"});
  h.definitions_updated_minutes_ago = r.count({"definitionsUpdatedMinutesAgo", "definitions_updated_minutes_ago"});
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
    if (auto* o = kv.value().if_object(); o && o->contains("value") && o->contains("isManaged")) {
      if (o->at("isManaged").is_bool() && o->at("isManaged").get_bool()) h.managed.emplace_back(kv.key());
      json::value inner = o->at("value");
      kv.value() = std::move(inner);
    }
  }
  return h;
}

Result<Threat> threat_from_json(const json::value& value, const std::string& path) {
  Error err;
  const json::object* outer = require_object(value, path, err);
  if (!outer) return err;
  // mdatp: {"threat":{…},"history":[…]}; the wire form and flat variants: the fields directly.
  const json::object* body = outer;
  std::string body_path = path;
  const json::value* history = nullptr;
  json::object outer_rest;
  if (auto it = outer->find("threat"); it != outer->end() && it->value().is_object()) {
    body = &it->value().get_object();
    body_path = path + ".threat";
    if (auto h = outer->find("history"); h != outer->end()) history = &h->value();
    for (const auto& kv : *outer) {
      if (kv.key() != "threat" && kv.key() != "history") outer_rest.emplace(kv.key(), kv.value());
    }
  }
  ObjectReader r(*body, body_path);
  Threat t;
  t.id = r.text({"id", "trackingId", "tracking_id", "threatId", "threat_id"});
  t.name = r.text({"name", "threatName", "threat_name"});
  t.type = r.text({"type", "threatType", "threat_type"});
  t.status = r.text({"status", "state", "currentStatus", "current_status"});
  t.path = r.text({"path", "filePath", "file_path"});
  t.detected_ms = r.time_ms({"detectionTime", "detection_time", "detectedAt", "detected_at"});
  t.scan_type = r.text({"scanType"});
  t.scan_start_ms = r.time_ms({"scanStartTime"});
  if (r.failed()) return r.error();
  if (auto latest = latest_history_status(history)) t.status = latest;
  t.raw = leftovers_with_raw(r);
  if (history) t.raw["history"] = *history;
  for (auto& kv : outer_rest) t.raw.emplace(kv.key(), kv.value());
  return t;
}

Result<QuarantineEntry> quarantine_entry_from_json(const json::value& value, const std::string& path) {
  // Quarantine entries come in the threat shape (mdatp's JSON for them is not documented):
  // read them as threats and keep what applies.
  auto t = threat_from_json(value, path);
  if (!t) return t.error();
  QuarantineEntry q;
  q.id = std::move(t->id);
  q.name = std::move(t->name);
  q.type = std::move(t->type);
  q.path = std::move(t->path);
  q.raw = std::move(t->raw);
  if (t->status) q.raw["status"] = *t->status;
  if (auto it = q.raw.find("quarantineTime"); it != q.raw.end()) {
    json::object holder{{"quarantineTime", it->value()}};
    ObjectReader r(holder, path);
    q.quarantined_ms = r.time_ms({"quarantineTime"});
    if (r.failed()) return r.error();
    q.raw.erase("quarantineTime");
  } else if (t->detected_ms) {
    q.raw["detectionTime"] = optional_time(t->detected_ms);
  }
  return q;
}

Result<ScanRecord> scan_from_json(const json::value& value, const std::string& path) {
  Error err;
  const json::object* o = require_object(value, path, err);
  if (!o) return err;
  ObjectReader r(*o, path);
  ScanRecord s;
  s.id = r.text({"id", "scanId"});
  s.type = r.text({"type", "scanType", "scan_type"});
  s.state = r.text({"state", "status"});
  s.start_ms = r.time_ms({"startTime", "start_time"});
  s.end_ms = r.time_ms({"endTime", "end_time"});
  s.files_scanned = r.count({"filesScanned", "files_scanned"});
  s.threat_count = r.count({"threatCount", "threat_count", "threatsDetected", "threats_detected"});
  r.find({"durationMs"});  // derived on output; not kept as raw
  if (const json::value* threats = r.find({"threats"})) {
    const auto* arr = threats->if_array();
    if (!arr) {
      r.fail("expected a list, found " + std::string(kind_name(*threats)), "threats");
    } else {
      std::string tpath = r.path_of("threats");
      for (std::size_t i = 0; i < arr->size(); ++i) {
        auto t = threat_from_json((*arr)[i], element_path(tpath, i));
        if (!t) return t.error();
        if (!t->scan_type) t->scan_type = s.type;
        if (!t->scan_start_ms) t->scan_start_ms = s.start_ms;
        s.threats.push_back(std::move(*t));
      }
      if (!s.threat_count) s.threat_count = static_cast<std::int64_t>(s.threats.size());
    }
  }
  if (r.failed()) return r.error();
  s.raw = leftovers_with_raw(r);
  return s;
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
    if (!h->is_object()) return make_error("expected an object, found " + std::string(kind_name(*h)), "health");
    auto health = health_from_json(h->get_object(), "health");
    if (!health) return health.error();
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
  if (const json::value* errors = r.find({"errors"}); errors && errors->is_array()) {
    for (const auto& e : errors->get_array()) {
      if (const auto* eo = e.if_object()) {
        ObjectReader er(*eo, "errors");
        n.errors.push_back({er.text({"source"}).value_or(""), er.text({"message"}).value_or("")});
      }
    }
  }
  n.collected_at_ms = r.time_ms({"collectedAt"}).value_or(0);
  n.stale = r.flag({"stale"}).value_or(false);
  if (r.failed()) return r.error();
  return n;
}

}  // namespace nexus_mde
