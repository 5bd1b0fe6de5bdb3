#include "plugin/cluster/cluster_setup.hpp"

#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"

namespace nexus_mde::plugin {

namespace {

// The third source of nodes: the cluster's bare-metal machines in ARM.
Result<std::vector<Node>> discover_nodes(const GlobalOptions& globals, const AgentAccess& agents,
                                         std::vector<ArmMachine>& machines) {
  auto arm = open_arm_access(globals.arm, agents.fan_out.timeout, agents.fan_out.deadline);
  if (!arm) return arm.error();
  ClusterDiscovery discovery(*arm, true);
  auto ran = run_arm(*arm, discovery);
  if (!ran) return ran.error();
  std::size_t unaddressed = 0;
  auto nodes = inventory_of(discovery.machines(), unaddressed);
  if (nodes.empty()) {
    return make_error(
        "ARM lists no bare-metal machine with an address for cluster " + discovery.cluster().name,
        "--cluster");
  }
  machines = discovery.machines();
  return nodes;
}

}  // namespace

Result<ClusterSetup> prepare_cluster(const GlobalOptions& globals, std::chrono::seconds default_deadline) {
  bool listed = !globals.inventory.node_specs.empty() || !globals.inventory.inventory_file.empty();
  if (listed || !globals.arm.wanted()) {
    // The inventory's problems first: they are the likelier mistake and need no network.
    auto nodes = resolve_inventory(globals.inventory);
    if (!nodes) return nodes.error();
    auto access = open_agent_access(globals.access, default_deadline);
    if (!access) return access.error();
    return ClusterSetup{std::move(*nodes), std::move(*access), {}, globals.findings};
  }
  auto access = open_agent_access(globals.access, default_deadline);
  if (!access) return access.error();
  std::vector<ArmMachine> machines;
  auto nodes = discover_nodes(globals, *access, machines);
  if (!nodes) return nodes.error();
  return ClusterSetup{std::move(*nodes), std::move(*access), std::move(machines), globals.findings};
}

std::optional<ClusterSetup> prepare_cluster_or_explain(const GlobalOptions& globals,
                                                       std::chrono::seconds default_deadline,
                                                       std::string_view command, std::ostream& err,
                                                       ExitCode& failed) {
  auto setup = prepare_cluster(globals, default_deadline);
  if (!setup) {
    err << "nexus-mde " << command << ": " << setup.error().describe() << "\n";
    // run_arm names ARM as the field of what ARM answered; anything else is ours to fix.
    failed =
        setup.error().field.starts_with("ARM ") ? arm_failure_exit_code(setup.error()) : ExitCode::kUsage;
    return std::nullopt;
  }
  return std::move(*setup);
}

bool optional_agent_access(const GlobalOptions& globals, std::string_view command, std::ostream& err,
                           std::optional<AgentAccess>& access) {
  const auto& a = globals.access;
  access.reset();
  if (a.ca_file.empty() || (a.token_file.empty() && a.cert_file.empty())) return true;
  auto opened = open_agent_access(a, std::chrono::seconds(30));
  if (!opened) {
    err << "nexus-mde " << command << ": " << opened.error().describe() << "\n";
    return false;
  }
  access = std::move(*opened);
  return true;
}

std::optional<ArmAccess> prepare_arm_or_explain(const GlobalOptions& globals,
                                                std::chrono::seconds default_deadline,
                                                std::string_view command, std::ostream& err) {
  if (!globals.arm.wanted()) {
    err << "nexus-mde " << command << ": --cluster NAME -g RG is required (the level lives in ARM)\n";
    return std::nullopt;
  }
  auto timeout = duration_of(globals.access.timeout_seconds, "--timeout");
  auto deadline = globals.access.deadline_seconds != 0
                      ? duration_of(globals.access.deadline_seconds, "--deadline")
                      : Result<std::chrono::milliseconds>(default_deadline);
  auto arm = !timeout    ? Result<ArmAccess>(timeout.error())
             : !deadline ? Result<ArmAccess>(deadline.error())
                         : open_arm_access(globals.arm, *timeout, *deadline);
  if (!arm) {
    err << "nexus-mde " << command << ": " << arm.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(*arm);
}

}  // namespace nexus_mde::plugin
