#include "plugin/arm/enforcement_update.hpp"

#include <boost/json.hpp>

namespace nexus_mde::plugin {

namespace json = boost::json;

AgentRequest EnforcementUpdate::begin() {
  phase_ = Phase::kRead;
  return arm_request(HttpMethod::kGet, access_.cluster_path);
}

Next EnforcementUpdate::on_answer(const AgentResponse& r) {
  switch (phase_) {
    case Phase::kRead: {
      if (!read_cluster(parse_body(r.body), before_)) return Next::fail({NodeState::kHttpError, "ARM's answer is not a cluster"});
      json::object config{{"enforcementLevel", level_}};
      // Keep the other field as it is (before 2026-07-01 an omitted field may take its default).
      auto mode = update_mode_ ? update_mode_ : before_.definition_update_mode;
      if (mode) config["definitionUpdateMode"] = *mode;
      AgentRequest patch = arm_request(HttpMethod::kPatch, access_.cluster_path,
                                       json::serialize(json::object{{"properties", json::object{{"runtimeProtectionConfiguration", config}}}}));
      if (!before_.etag.empty()) patch.headers.emplace_back("If-Match", before_.etag);
      phase_ = Phase::kPatch;
      return Next::ask(std::move(patch));
    }
    case Phase::kPatch:
    case Phase::kPoll: {
      auto step = lro_step(r, phase_ == Phase::kPatch);
      if (!step) return Next::fail({NodeState::kHttpError, "ARM accepted the change but gave no operation to follow (" + describe_error(r) + ")"});
      if (step->poll) {
        phase_ = Phase::kPoll;
        return Next::ask(std::move(*step->poll));
      }
      operation_status_ = step->final_status;
      if (operation_status_ != "Succeeded") {
        std::string why;
        if (const json::object* o = step->body.if_object()) {
          if (auto* e = o->if_contains("error"); e && e->is_object()) {
            if (auto* c = e->as_object().if_contains("code"); c && c->is_string()) why += std::string(c->as_string());
            if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) why += ": " + std::string(m->as_string());
          }
        }
        return Next::fail({NodeState::kAgentError, "the update ended " + operation_status_ + (why.empty() ? "" : " (" + why + ")")});
      }
      phase_ = Phase::kReread;
      return Next::ask(arm_request(HttpMethod::kGet, access_.cluster_path));
    }
    case Phase::kReread:
      if (!read_cluster(parse_body(r.body), after_)) return Next::fail({NodeState::kHttpError, "ARM's answer is not a cluster"});
      return Next::done();
  }
  return Next::done();
}

}  // namespace nexus_mde::plugin
