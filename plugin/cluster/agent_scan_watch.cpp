#include "plugin/cluster/agent_scan_watch.hpp"

#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"

namespace nexus_mde::plugin {

AgentScanWatch::AgentScanWatch(AgentAccess access, std::int64_t since_ms)
    : access_(std::move(access)), since_ms_(since_ms) {
  // A look is one request per node: it must not hold up the wait beyond two exchanges.
  access_.fan_out.deadline = access_.fan_out.timeout * 2;
}

void AgentScanWatch::look(const std::vector<ArmMachine>& machines) {
  std::size_t unaddressed = 0;
  ClusterSetup setup{inventory_of(machines, unaddressed), access_, {}, {}, {}};
  auto collected = collect_snapshots(setup, "/v1/scans");
  for (const auto& r : collected.reports) {
    if (r.outcome.state != ExchangeState::kOk || !r.snapshot) continue;
    for (const auto& scan : r.snapshot->scans) {
      if (!scan.start_ms || *scan.start_ms < since_ms_ || !scan.end_ms) continue;
      auto it = finished_.find(r.node.name);
      if (it == finished_.end() || *scan.start_ms >= it->second.start_ms.value_or(0))
        finished_[r.node.name] = scan;
    }
  }
}

const ScanRecord* AgentScanWatch::finished_scan(const std::string& node) const {
  auto it = finished_.find(node);
  return it == finished_.end() ? nullptr : &it->second;
}

}  // namespace nexus_mde::plugin
