// `extract`: the seed workflow automated. On every ready machine of the cluster at once (width
// --concurrency, default 8), the mde-agent-information data extract through ARM (DataExtract),
// then its tar.gz downloaded from storage (BlobDownload, redirects followed) and read in memory
// into the same node snapshot an agent serves. One NodeReport per machine, in natural order.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "plugin/arm/arm_access.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/cluster/node_report.hpp"

namespace nexus_mde::plugin {

struct ExtractRun {
  std::vector<NodeReport> reports;
  FanOutResult run;  // elapsed over all phases; deadline_passed when --deadline ended it
};

// `progress` gets a line as each machine's extract ends (stderr: the URL is never in it).
ExtractRun run_extracts(const ArmAccess& arm, const std::vector<ArmMachine>& machines,
                        std::int64_t limit_seconds, std::size_t width, std::ostream& progress);

}  // namespace nexus_mde::plugin
