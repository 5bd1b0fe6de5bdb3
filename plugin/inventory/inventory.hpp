// Which nodes a command talks to, and where their agents listen. First that applies:
// `--node NAME=HOST[:PORT]` (repeatable), then `--inventory FILE`
// ({"nodes":[{"name":"r01c001","address":"10.1.2.3","port":9448}]}). ARM discovery
// (--cluster/-g, plugin/arm) is the third source, tried by the commands' setup when neither is given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/sys/result.hpp"
#include "plugin/fanout/target.hpp"

namespace nexus_mde::plugin {

inline constexpr std::uint16_t kDefaultAgentPort = 9448;

struct Node {
  std::string name;  // the node's (BMM machine) name; the agent's certificate must name it
  std::string host;  // IPv4, IPv6 (no brackets) or a DNS name
  std::uint16_t port = kDefaultAgentPort;
  std::string source;   // where it came from ("--node", "inventory.json nodes[3]"), for errors
  std::string cluster;  // its cluster's name, in a run over several clusters (else empty)

  Target target() const { return {name, host, port}; }
  // "10.1.2.3:9448", "[fd00::5]:9448"
  std::string endpoint() const { return target().endpoint(); }
};

// Where the fan-out connects for each node, in the same order.
std::vector<Target> targets_of(const std::vector<Node>& nodes);

// NAME=HOST[:PORT]; an IPv6 address with a port is bracketed ([fd00::5]:9448).
Result<Node> parse_node_spec(std::string_view spec);

// The inventory file ({"nodes":[{"name","address","port"}]}, docs/cli.md). Every problem names the entry
// ("nodes[3].port: ...").
Result<std::vector<Node>> read_inventory_file(const std::string& path);

// kubectl's own flags, as `kubectl nexus-mde` is given them (kubectl passes them through).
struct KubernetesOptions {
  std::string kubeconfig;          // --kubeconfig
  std::string context;             // --context
  std::string namespace_;          // -n/--namespace: accepted, but nodes belong to no namespace
  std::string selector;            // -l/--selector
  bool invoked_as_plugin = false;  // run as kubectl-nexus_mde
  // Nodes come from the Kubernetes API when no other source is given and kubectl is the context.
  bool wanted() const {
    return invoked_as_plugin || !kubeconfig.empty() || !context.empty() || !selector.empty();
  }
};

struct InventoryOptions {
  std::vector<std::string> node_specs;  // --node
  std::string inventory_file;           // --inventory
  KubernetesOptions kubernetes;
};

// The nodes to ask. An empty inventory, a duplicate name or a bad entry is an error; a message
// says how to name nodes when none were given.
Result<std::vector<Node>> resolve_inventory(const InventoryOptions& options);

}  // namespace nexus_mde::plugin
