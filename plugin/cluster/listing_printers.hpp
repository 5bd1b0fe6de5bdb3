// `nexus-mde scans` and `nexus-mde threats` output: the records of every node, one row each,
// newest first within a node, nodes in natural order; json/yaml keep them per node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "plugin/cluster/node_report.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

struct ListingPrintOptions {
  OutputFormat format = OutputFormat::kTable;
  std::int64_t now_ms = 0;
  std::size_t limit = 0;  // scans: the newest N per node; 0 for all
};

void print_scans(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                 const ListingPrintOptions& options, std::ostream& out);
void print_threats(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                   const ListingPrintOptions& options, std::ostream& out);

}  // namespace nexus_mde::plugin
