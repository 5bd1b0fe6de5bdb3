#include "plugin/arm/scan_runtime.hpp"

#include <boost/json.hpp>

namespace nexus_mde::plugin {

namespace json = boost::json;

Request ScanRuntime::begin() {
  phase_ = Phase::kRead;
  return arm_request(HttpMethod::kGet, access_.cluster_path);
}

Next ScanRuntime::on_answer(const Response& r) {
  if (phase_ == Phase::kRead) {
    if (!read_cluster(parse_body(r.body), cluster_))
      return Next::fail({ExchangeState::kHttpError, "ARM's answer is not a cluster"});
    std::string level = cluster_.enforcement_level.value_or("Disabled");
    if (level == "Disabled") {
      return Next::fail(
          {ExchangeState::kAgentError,
           "the cluster's enforcement level is Disabled" +
               std::string(cluster_.enforcement_level ? "" : " (never set)") +
               ": scans cannot be triggered; set one first (nexus-mde enforcement set OnDemand)"});
    }
    phase_ = Phase::kPost;
    return Next::ask(arm_request(HttpMethod::kPost, access_.cluster_path + "/scanRuntime",
                                 json::serialize(json::object{{"scanActivity", "Scan"}})));
  }
  if (auto n = follow_operation(r, phase_ == Phase::kPost, "the scan request")) {
    phase_ = Phase::kPoll;
    return std::move(*n);
  }
  return Next::done();
}

}  // namespace nexus_mde::plugin
