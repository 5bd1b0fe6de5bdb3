// `nexus-mde scan` output: per node, the scan triggered (or joined) and how it ended.
#pragma once

#include <ostream>
#include <vector>

#include "plugin/cluster/node_report.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

void print_scan_results(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                        OutputFormat format, std::ostream& out);

}  // namespace nexus_mde::plugin
