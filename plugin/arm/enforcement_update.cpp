#include "plugin/arm/enforcement_update.hpp"

#include <boost/json.hpp>

namespace nexus_mde::plugin {

namespace json = boost::json;

Request EnforcementUpdate::begin() {
  phase_ = Phase::kRead;
  return arm_request(HttpMethod::kGet, access_.cluster_path);
}

Next EnforcementUpdate::on_answer(const Response& r) {
  switch (phase_) {
    case Phase::kRead: {
      if (!read_cluster(parse_body(r.body), before_))
        return Next::fail({ExchangeState::kHttpError, "ARM's answer is not a cluster"});
      json::object config{{"enforcementLevel", level_}};
      // Keep the other field as it is (before 2026-07-01 an omitted field may take its default).
      auto mode = update_mode_ ? update_mode_ : before_.definition_update_mode;
      if (mode) config["definitionUpdateMode"] = *mode;
      Request patch = arm_request(
          HttpMethod::kPatch, access_.cluster_path,
          json::serialize(
              json::object{{"properties", json::object{{"runtimeProtectionConfiguration", config}}}}));
      std::string etag = if_match_.empty() ? before_.etag : if_match_;
      if (!etag.empty()) patch.headers.emplace_back("If-Match", etag);
      phase_ = Phase::kPatch;
      return Next::ask(std::move(patch));
    }
    case Phase::kPatch:
    case Phase::kPoll: {
      if (auto n = follow_operation(r, phase_ == Phase::kPatch, "the update")) {
        phase_ = Phase::kPoll;
        return std::move(*n);
      }
      phase_ = Phase::kReread;
      return Next::ask(arm_request(HttpMethod::kGet, access_.cluster_path));
    }
    case Phase::kReread:
      if (!read_cluster(parse_body(r.body), after_))
        return Next::fail({ExchangeState::kHttpError, "ARM's answer is not a cluster"});
      return Next::done();
  }
  return Next::done();
}

}  // namespace nexus_mde::plugin
