// The clusters a command covers and their bare-metal machines: each --cluster read as
// ClusterDiscovery does (all at once), or with --all-clusters every machine of each
// --subscription (BareMetalMachines_ListBySubscription) grouped by its clusterId. A cluster or
// subscription whose ARM calls fail is kept with the reason, so the others still answer.
// --all-clusters wins over --cluster, as kubectl's --all-namespaces over --namespace: a default
// cluster in the config file does not stand in the way.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/sys/result.hpp"
#include "plugin/arm/arm_access.hpp"
#include "plugin/arm/cluster_discovery.hpp"

namespace nexus_mde::plugin {

struct FleetCluster {
  std::string name;  // the cluster's name; for a subscription that could not be listed, empty
  std::string id;    // its ARM id
  std::string subscription;
  std::string resource_group;
  std::vector<ArmMachine> machines;
  std::optional<Error> failure;  // what ARM answered when the cluster (or subscription) could not be read
};

// Usage problems (flags, endpoint, token) are the Error; ARM's answers are in each cluster.
Result<std::vector<FleetCluster>> discover_fleet(const ArmOptions& options, std::chrono::milliseconds timeout,
                                                 std::chrono::milliseconds deadline);

}  // namespace nexus_mde::plugin
