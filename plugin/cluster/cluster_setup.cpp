#include "plugin/cluster/cluster_setup.hpp"

#include <algorithm>
#include <map>

#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/arm/fleet_discovery.hpp"

namespace nexus_mde::plugin {

namespace {

// The nodes of one cluster's machines, named under `cluster` in a fleet.
void add_nodes(const FleetCluster& c, bool fleet, DiscoveredNodes& out) {
  std::vector<ArmMachine> machines = c.machines;
  for (auto& m : machines) m.cluster = fleet ? c.name : "";
  std::size_t unaddressed = 0;
  auto nodes = inventory_of(machines, unaddressed);
  out.nodes.insert(out.nodes.end(), nodes.begin(), nodes.end());
  out.machines.insert(out.machines.end(), std::make_move_iterator(machines.begin()),
                      std::make_move_iterator(machines.end()));
}

// What each cluster is shown as: its name, or RG/NAME where names repeat across resource groups
// (cluster names are unique only within one), or its ARM id where even that repeats.
std::vector<std::string> labels_of(const std::vector<FleetCluster>& fleet) {
  auto count = [&](auto key) {
    std::map<std::string, int> n;
    for (const auto& c : fleet) ++n[key(c)];
    return n;
  };
  auto by_name = count([](const FleetCluster& c) { return c.name; });
  auto by_group = count([](const FleetCluster& c) { return c.resource_group + "/" + c.name; });
  std::vector<std::string> labels;
  for (const auto& c : fleet) {
    if (c.name.empty() || by_name[c.name] == 1)
      labels.push_back(c.name);
    else if (by_group[c.resource_group + "/" + c.name] == 1)
      labels.push_back(c.resource_group + "/" + c.name);
    else
      labels.push_back(c.id);
  }
  return labels;
}

}  // namespace

Result<DiscoveredNodes> discover_nodes(const ArmOptions& options, std::chrono::milliseconds timeout,
                                       std::chrono::milliseconds deadline) {
  auto fleet = discover_fleet(options, timeout, deadline);
  if (!fleet) return fleet.error();
  DiscoveredNodes out;
  std::optional<Error> first_failure;
  auto labels = labels_of(*fleet);
  for (std::size_t i = 0; i < fleet->size(); ++i) {
    FleetCluster& c = (*fleet)[i];
    c.name = labels[i];
    if (c.failure && !first_failure) first_failure = c.failure;
    if (!c.failure) add_nodes(c, options.fleet(), out);
    if (options.fleet()) {
      out.clusters.push_back(
          {c.name, c.id, c.subscription, c.resource_group, c.failure ? c.failure->message : ""});
    }
  }
  bool none_read = std::all_of(fleet->begin(), fleet->end(), [](const FleetCluster& c) { return c.failure; });
  if (first_failure && (!options.fleet() || none_read)) return *first_failure;
  return out;
}

Result<ClusterSetup> prepare_cluster(const GlobalOptions& globals, std::chrono::seconds default_deadline) {
  bool listed = !globals.inventory.node_specs.empty() || !globals.inventory.inventory_file.empty();
  if (listed || !globals.arm.wanted()) {
    // The inventory's problems first: they are the likelier mistake and need no network.
    auto nodes = resolve_inventory(globals.inventory);
    if (!nodes) return nodes.error();
    auto access = open_agent_access(globals.access, default_deadline);
    if (!access) return access.error();
    return ClusterSetup{std::move(*nodes), std::move(*access), {}, globals.findings, {}};
  }
  auto access = open_agent_access(globals.access, default_deadline);
  if (!access) return access.error();
  auto found = discover_nodes(globals.arm, access->fan_out.timeout, access->fan_out.deadline);
  if (!found) return found.error();
  if (found->nodes.empty()) {
    std::string where = globals.arm.all_clusters ? "any cluster of the subscription(s) given"
                        : globals.arm.fleet()    ? "the clusters it could read"
                                                 : "cluster " + globals.arm.clusters.front();
    return make_error("ARM lists no bare-metal machine with an address for " + where,
                      globals.arm.all_clusters ? "--all-clusters" : "--cluster");
  }
  return ClusterSetup{std::move(found->nodes), std::move(*access), std::move(found->machines),
                      globals.findings, std::move(found->clusters)};
}

std::optional<ClusterSetup> prepare_cluster_or_explain(const GlobalOptions& globals,
                                                       std::chrono::seconds default_deadline,
                                                       std::string_view command, std::ostream& err,
                                                       ExitCode& failed) {
  auto setup = prepare_cluster(globals, default_deadline);
  if (!setup) {
    err << "nexus-mde " << command << ": " << setup.error().describe() << "\n";
    failed = arm_failure_exit_code(setup.error());
    return std::nullopt;
  }
  // Said once, however often --watch redraws; the output's footer or document says it again.
  explain_clusters_not_read(setup->clusters, command, err);
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

bool explain_clusters_not_read(const std::vector<ClusterGroup>& clusters, std::string_view command,
                               std::ostream& err) {
  bool any = false;
  for (const auto& c : clusters) {
    if (c.failure.empty()) continue;
    err << "nexus-mde " << command << ": " << c.label() << " not read: " << c.failure << "\n";
    any = true;
  }
  return any;
}

Result<ArmTiming> arm_timing(const GlobalOptions& globals, std::chrono::seconds default_deadline) {
  auto timeout = duration_of(globals.access.timeout_seconds, "--timeout");
  if (!timeout) return timeout.error();
  auto deadline = globals.access.deadline_seconds != 0
                      ? duration_of(globals.access.deadline_seconds, "--deadline")
                      : Result<std::chrono::milliseconds>(default_deadline);
  if (!deadline) return deadline.error();
  return ArmTiming{*timeout, *deadline};
}

std::optional<ArmAccess> prepare_arm_or_explain(const GlobalOptions& globals,
                                                std::chrono::seconds default_deadline,
                                                std::string_view command, std::ostream& err) {
  if (!globals.arm.wanted()) {
    err << "nexus-mde " << command << ": --cluster NAME -g RG is required (the level lives in ARM)\n";
    return std::nullopt;
  }
  auto timing = arm_timing(globals, default_deadline);
  auto arm = timing ? open_arm_access(globals.arm, timing->timeout, timing->deadline)
                    : Result<ArmAccess>(timing.error());
  if (!arm) {
    err << "nexus-mde " << command << ": " << arm.error().describe() << "\n";
    return std::nullopt;
  }
  return std::move(*arm);
}

}  // namespace nexus_mde::plugin
