#include "common/model/scan_trigger.hpp"

#include <boost/json.hpp>

#include "common/model/model_json.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

json::value optional_number(const std::optional<std::int64_t>& n) {
  return n ? json::value(*n) : json::value(nullptr);
}

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& jv, const ScanTrigger& t) {
  json::object o(jv.storage());
  o["id"] = t.id;
  o["type"] = t.type;
  o["state"] = t.state;
  o["requestedBy"] = t.requested_by;
  o["peer"] = t.peer;
  o["requestedAt"] = optional_time(t.requested_at_ms);
  o["endedAt"] = optional_time(t.ended_at_ms);
  o["filesScanned"] = optional_number(t.files_scanned);
  o["threatsDetected"] = optional_number(t.threats_detected);
  o["error"] = t.error.empty() ? json::value(nullptr) : json::value(t.error);
  jv = std::move(o);
}

Result<ScanTrigger> scan_trigger_from_json(const json::value& v, const std::string& path) {
  if (!v.is_object()) return make_error("expected an object", path);
  const auto& o = v.get_object();
  ScanTrigger t;
  auto text = [&](const char* key, std::string& out) -> bool {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return false;
    out = std::string(it->value().get_string());
    return true;
  };
  auto time = [&](const char* key) -> std::optional<std::int64_t> {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return std::nullopt;
    auto ms = parse_rfc3339(it->value().get_string());
    return ms ? std::optional<std::int64_t>(*ms) : std::nullopt;
  };
  auto number = [&](const char* key) -> std::optional<std::int64_t> {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_int64()) return std::nullopt;
    return it->value().get_int64();
  };
  if (!text("id", t.id) || !text("type", t.type) || !text("state", t.state)) {
    return make_error("id, type and state are required", path);
  }
  text("requestedBy", t.requested_by);
  text("peer", t.peer);
  text("error", t.error);
  auto at = time("requestedAt");
  if (!at) return make_error("requestedAt is not an RFC 3339 time", path + ".requestedAt");
  t.requested_at_ms = *at;
  t.ended_at_ms = time("endedAt");
  t.files_scanned = number("filesScanned");
  t.threats_detected = number("threatsDetected");
  return t;
}

}  // namespace nexus_mde
