// nexus-mde targets
#include <iostream>

#include <boost/json.hpp>

#include "common/files.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/cluster_setup.hpp"

namespace nexus_mde::plugin {

namespace {

namespace json = boost::json;

// One file_sd entry per node, so each carries its own labels.
json::object target(const Node& node, const std::string& cluster, const std::string& rack) {
  json::object labels{{"node", node.name}};
  if (!cluster.empty()) labels["cluster"] = cluster;
  if (!rack.empty()) labels["rack"] = rack;
  return {{"targets", json::array{json::string(node.endpoint())}}, {"labels", std::move(labels)}};
}

// The nodes with their labels: from --node, an inventory or Kubernetes, else from ARM.
Result<json::array> targets_of(const GlobalOptions& globals) {
  json::array out;
  bool listed = !globals.inventory.node_specs.empty() || !globals.inventory.inventory_file.empty();
  if (listed || !globals.arm.wanted()) {
    auto nodes = resolve_inventory(globals.inventory);
    if (!nodes) return nodes.error();
    for (const auto& n : *nodes) out.push_back(target(n, "", ""));
    return out;
  }
  auto arm = open_arm_access(globals.arm, std::chrono::seconds(10), std::chrono::seconds(60));
  if (!arm) return arm.error();
  ClusterDiscovery discovery(*arm, true);
  if (auto ran = run_arm(*arm, discovery); !ran) return ran.error();
  std::size_t unaddressed = 0;
  auto nodes = inventory_of(discovery.machines(), unaddressed);
  for (const auto& n : nodes) {
    std::string rack;
    for (const auto& m : discovery.machines()) {
      if (m.name == n.name) rack = m.rack;
    }
    out.push_back(target(n, discovery.cluster().name, rack));
  }
  return out;
}

ExitCode run_targets(const GlobalOptions& globals, const std::string& file) {
  auto targets = targets_of(globals);
  if (!targets) {
    std::cerr << "nexus-mde targets: " << targets.error().describe() << "\n";
    return targets.error().field.starts_with("ARM ") ? arm_failure_exit_code(targets.error())
                                                     : ExitCode::kUsage;
  }
  std::string text = json::serialize(*targets) + "\n";
  if (file.empty()) {
    std::cout << text << std::flush;
    return ExitCode::kClean;
  }
  if (auto written = replace_file(file, text, 0644); !written) {
    std::cerr << "nexus-mde targets: " << written.error().describe() << "\n";
    return ExitCode::kUsage;
  }
  std::cerr << "nexus-mde targets: " << targets->size() << " targets written to " << file << "\n";
  return ExitCode::kClean;
}

}  // namespace

void add_targets_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand(
      "targets", "The nodes as Prometheus file_sd targets, with node, cluster and rack labels");
  auto file = std::make_shared<std::string>();
  cmd->add_option(
         "--write", *file,
         "Write them to FILE, whole or not at all (Prometheus re-reads file_sd files when they change)")
      ->type_name("FILE");
  cmd->footer(
      "Prints Prometheus's file_sd JSON, whatever -o says: "
      "[{\"targets\":[\"HOST:9448\"],\"labels\":{\"node\",\n"
      "\"cluster\",\"rack\"}}]. The nodes come from --node, --inventory or Kubernetes, or from the "
      "cluster's\n"
      "bare-metal machines with --cluster (cluster and rack labels). packaging/prometheus has the scrape "
      "job.\n"
      "Exit codes: 0 written; 2 ARM did not answer; 3 usage or configuration error.");
  cmd->callback([file, &globals, &outcome] { outcome.exit_code = run_targets(globals, *file); });
}

}  // namespace nexus_mde::plugin
