#include "plugin/cluster/cluster_setup.hpp"

namespace nexus_mde::plugin {

Result<ClusterSetup> prepare_cluster(const GlobalOptions& globals, std::chrono::seconds default_deadline) {
  auto nodes = resolve_inventory(globals.inventory);
  if (!nodes) return nodes.error();
  auto access = open_agent_access(globals.access, default_deadline);
  if (!access) return access.error();
  return ClusterSetup{std::move(*nodes), std::move(*access)};
}

std::optional<ClusterSetup> prepare_cluster_or_explain(const GlobalOptions& globals, std::chrono::seconds default_deadline,
                                                       std::string_view command, std::ostream& err) {
  auto setup = prepare_cluster(globals, default_deadline);
  if (!setup) {
    err << "nexus-mde " << command << ": " << setup.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(*setup);
}

}  // namespace nexus_mde::plugin
