// Nodes from the Kubernetes API, as a kubectl plugin finds them: `kubectl get nodes -o json` run
// with the operator's own --kubeconfig, --context and -l selector (kubectl does the auth and the
// API's versions), then each node's name and its InternalIP address.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/sys/result.hpp"
#include "plugin/inventory/inventory.hpp"

namespace nexus_mde::plugin {

// The nodes of a NodeList body (`kubectl get nodes -o json`): metadata.name and the first
// status.addresses entry of type InternalIP (IPv4 or IPv6). A node without one is an error that
// names it, as is a body that is no NodeList.
Result<std::vector<Node>> nodes_from_node_list(std::string_view body);

// Runs kubectl (from PATH, with this process's KUBECONFIG, HOME and PATH; 60 s at most).
Result<std::vector<Node>> nodes_from_kubernetes(const KubernetesOptions& options);

}  // namespace nexus_mde::plugin
