#include "plugin/arm/scan_runtime.hpp"

#include <boost/json.hpp>

namespace nexus_mde::plugin {

namespace json = boost::json;

AgentRequest ScanRuntime::begin() {
  phase_ = Phase::kRead;
  return arm_request(HttpMethod::kGet, access_.cluster_path);
}

Next ScanRuntime::on_answer(const AgentResponse& r) {
  if (phase_ == Phase::kRead) {
    if (!read_cluster(parse_body(r.body), cluster_)) return Next::fail({NodeState::kHttpError, "ARM's answer is not a cluster"});
    std::string level = cluster_.enforcement_level.value_or("Disabled");
    if (level == "Disabled") {
      return Next::fail({NodeState::kAgentError, "the cluster's enforcement level is Disabled" +
                                                     std::string(cluster_.enforcement_level ? "" : " (never set)") +
                                                     ": scans cannot be triggered; set one first (nexus-mde enforcement set OnDemand)"});
    }
    phase_ = Phase::kPost;
    return Next::ask(arm_request(HttpMethod::kPost, access_.cluster_path + "/scanRuntime",
                                 json::serialize(json::object{{"scanActivity", "Scan"}})));
  }
  auto step = lro_step(r, phase_ == Phase::kPost);
  if (!step) return Next::fail({NodeState::kHttpError, "ARM accepted the scan but gave no operation to follow (" + describe_error(r) + ")"});
  if (step->poll) {
    phase_ = Phase::kPoll;
    return Next::ask(std::move(*step->poll));
  }
  operation_status_ = step->final_status;
  if (operation_status_ != "Succeeded") {
    std::string why;
    if (const json::object* o = step->body.if_object()) {
      if (auto* e = o->if_contains("error"); e && e->is_object()) why = json::serialize(*e);
    }
    return Next::fail({NodeState::kAgentError, "the scan request ended " + operation_status_ + (why.empty() ? "" : " " + why)});
  }
  return Next::done();
}

}  // namespace nexus_mde::plugin
