#include "plugin/arm/data_extract.hpp"

#include <boost/json.hpp>

namespace nexus_mde::plugin {

namespace json = boost::json;

bool uses_restricted_action(std::string_view api_version) {
  return api_version.substr(0, 10) >= "2025-07-01";
}

Request DataExtract::begin() {
  posted_ = false;
  std::string action =
      uses_restricted_action(api_version()) ? "/runDataExtractsRestricted" : "/runDataExtracts";
  json::object body{{"commands", json::array{json::object{{"command", "mde-agent-information"}}}},
                    {"limitTimeSeconds", limit_seconds_}};
  return arm_request(HttpMethod::kPost, machine_id_ + action, json::serialize(body));
}

Next DataExtract::on_answer(const Response& r) {
  bool initial = !posted_;
  posted_ = true;
  if (auto n = follow_operation(r, initial, "the data extract")) return std::move(*n);
  // Succeeded: the final OperationStatusResult carries the script's result.
  json::value status = parse_body(r.body);
  const json::object* o = status.if_object();
  const json::value* props = o ? o->if_contains("properties") : nullptr;
  auto text = [&](const char* key) {
    const json::value* v = props && props->is_object() ? props->as_object().if_contains(key) : nullptr;
    if (!v) return std::string();
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_int64()) return std::to_string(v->as_int64());  // tolerate a numeric exitCode
    return std::string();
  };
  result_ = {text("exitCode"), text("outputHead"), text("resultUrl")};
  if (result_.exit_code.empty() && result_.result_url.empty()) {
    return Next::fail({ExchangeState::kHttpError,
                       "the data extract ended without a result (no properties.exitCode or resultUrl)"});
  }
  return Next::done();
}

}  // namespace nexus_mde::plugin
