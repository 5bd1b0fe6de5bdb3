// `scan --via arm --wait` with agent credentials: what each node's own agent says about the
// platform's scan. Each look asks every machine's agent for its scan history (GET /v1/scans) and
// keeps, per node, the newest scan that started at or after the trigger and has ended: where an
// agent answers, its record (type, result, threats) is preferred to ARM's two timestamps.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/model/model.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/fanout/agent_access.hpp"

namespace nexus_mde::plugin {

class AgentScanWatch {
 public:
  AgentScanWatch(AgentAccess access, std::int64_t since_ms);

  // Asks the machines' agents (one GET each, bounded by twice --timeout).
  void look(const std::vector<ArmMachine>& machines);
  // The node's finished scan since the trigger, as its agent reported it; null when none (yet).
  const ScanRecord* finished_scan(const std::string& node) const;

 private:
  AgentAccess access_;
  std::int64_t since_ms_;
  std::map<std::string, ScanRecord> finished_;
};

}  // namespace nexus_mde::plugin
