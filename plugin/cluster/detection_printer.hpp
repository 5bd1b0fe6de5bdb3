// `nexus-mde test-detection` output: NODE, STATE, DETECTED, THREAT, ACTION, TIME TO DETECT.
#pragma once

#include <ostream>
#include <vector>

#include "plugin/cluster/node_report.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

void print_detection_results(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                             OutputFormat format, std::ostream& out);

}  // namespace nexus_mde::plugin
