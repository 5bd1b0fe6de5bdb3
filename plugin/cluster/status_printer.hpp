// `nexus-mde status` output: one row per node (NODE, STATE, HEALTHY, ENFORCEMENT, RTP,
// DEFINITIONS, LAST SCAN, THREATS, QUARANTINED, DETAIL), or the document form in json/yaml.
#pragma once

#include <cstdint>
#include <ostream>
#include <vector>

#include "plugin/cluster/node_report.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

struct StatusPrintOptions {
  OutputFormat format = OutputFormat::kTable;
  bool fold_healthy = false;  // --summary: identical healthy rows become one
  std::int64_t now_ms = 0;    // ages in the table are relative to this
};

void print_status(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                  const StatusPrintOptions& options, std::ostream& out);

}  // namespace nexus_mde::plugin
