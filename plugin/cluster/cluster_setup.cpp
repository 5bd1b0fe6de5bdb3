#include "plugin/cluster/cluster_setup.hpp"

namespace nexus_mde::plugin {

Result<ClusterSetup> prepare_cluster(const GlobalOptions& globals, std::chrono::seconds default_deadline) {
  auto nodes = resolve_inventory(globals.inventory);
  if (!nodes) return nodes.error();
  auto access = open_agent_access(globals.access, default_deadline);
  if (!access) return access.error();
  return ClusterSetup{std::move(*nodes), std::move(*access)};
}

}  // namespace nexus_mde::plugin
