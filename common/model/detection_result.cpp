#include "common/model/detection_result.hpp"

#include <boost/json.hpp>

#include "common/model/model_json.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

void tag_invoke(const json::value_from_tag&, json::value& jv, const DetectionResult& r) {
  json::object o(jv.storage());
  o["detected"] = r.detected;
  o["method"] = r.method;
  o["threat"] = r.threat ? json::value(*r.threat) : json::value(nullptr);
  o["action"] = r.action;
  o["timeToDetectMs"] = r.time_to_detect_ms ? json::value(*r.time_to_detect_ms) : json::value(nullptr);
  o["file"] = r.file;
  o["startedAt"] = optional_time(r.started_at_ms);
  o["requestedBy"] = r.requested_by;
  o["error"] = r.error.empty() ? json::value(nullptr) : json::value(r.error);
  jv = std::move(o);
}

Result<DetectionResult> detection_result_from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (!o) return make_error("expected an object");
  DetectionResult r;
  const json::value* detected = o->if_contains("detected");
  if (!detected || !detected->is_bool()) return make_error("detected: expected true or false", "detected");
  r.detected = detected->get_bool();
  auto text = [&](const char* key) -> std::optional<std::string> {
    const json::value* x = o->if_contains(key);
    return x && x->is_string() ? std::optional<std::string>(std::string(x->get_string())) : std::nullopt;
  };
  r.method = text("method").value_or("");
  r.threat = text("threat");
  r.action = text("action").value_or("none");
  r.file = text("file").value_or("");
  r.requested_by = text("requestedBy").value_or("");
  r.error = text("error").value_or("");
  if (const json::value* t = o->if_contains("timeToDetectMs"); t && t->is_int64())
    r.time_to_detect_ms = t->get_int64();
  if (auto at = text("startedAt")) {
    if (auto ms = parse_rfc3339(*at)) r.started_at_ms = *ms;
  }
  return r;
}

std::string detection_file_name(const std::string& random_hex16) {
  return std::string(kDetectionFilePrefix) + random_hex16 + ".com";
}

bool made_by_detection_test(const std::optional<std::string>& threat_name,
                            const std::optional<std::string>& path) {
  if (!threat_name || !path || threat_name->find("EICAR_Test_File") == std::string::npos) return false;
  std::string_view base(*path);
  if (auto slash = base.rfind('/'); slash != std::string_view::npos) base.remove_prefix(slash + 1);
  if (!base.starts_with(kDetectionFilePrefix) || !base.ends_with(".com")) return false;
  std::string_view hex =
      base.substr(kDetectionFilePrefix.size(), base.size() - kDetectionFilePrefix.size() - 4);
  return hex.size() == 16 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string detection_action(const std::optional<std::string>& status) {
  if (!status) return "none";
  if (*status == "quarantined") return "quarantined";
  if (*status == "removed" || *status == "cleaned") return "removed";
  if (*status == "allowed") return "allowed";
  return "none";
}

}  // namespace nexus_mde
