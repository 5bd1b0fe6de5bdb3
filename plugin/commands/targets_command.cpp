// nexus-mde targets
#include <iostream>

#include <boost/json.hpp>

#include "common/sys/files.hpp"
#include "plugin/arm/arm_run.hpp"
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
// `complete` turns false when ARM could not read some cluster.
Result<json::array> targets_of(const GlobalOptions& globals, bool& complete) {
  json::array out;
  bool listed = !globals.inventory.node_specs.empty() || !globals.inventory.inventory_file.empty();
  if (listed || !globals.arm.wanted()) {
    auto nodes = resolve_inventory(globals.inventory);
    if (!nodes) return nodes.error();
    for (const auto& n : *nodes) out.push_back(target(n, "", ""));
    return out;
  }
  auto timing = arm_timing(globals, std::chrono::seconds(30));
  if (!timing) return timing.error();
  auto found = discover_nodes(globals.arm, timing->timeout, timing->deadline);
  if (!found) return found.error();
  if (explain_clusters_not_read(found->clusters, "targets", std::cerr)) complete = false;
  MachineIndex machines(found->machines);
  for (const auto& n : found->nodes) {
    const ArmMachine* m = machines.of(n);  // every node came from one of them
    auto cluster = cluster_ref_of_id(m->cluster_id);
    out.push_back(target(n, cluster ? cluster->name : n.cluster, m->rack));
  }
  return out;
}

ExitCode run_targets(const GlobalOptions& globals, const std::string& file) {
  bool complete = true;
  auto targets = targets_of(globals, complete);
  if (!targets) {
    std::cerr << "nexus-mde targets: " << targets.error().describe() << "\n";
    return arm_failure_exit_code(targets.error());
  }
  std::string text = json::serialize(*targets) + "\n";
  if (file.empty()) {
    std::cout << text << std::flush;
    return complete ? ExitCode::kClean : ExitCode::kIncomplete;
  }
  if (!complete) {
    // Prometheus would drop the missing cluster's targets, and with them its agent-down alerts.
    std::cerr << "nexus-mde targets: " << file << " left as it was: some cluster was not read\n";
    return ExitCode::kIncomplete;
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
      "Prints Prometheus's file_sd JSON, whatever -o says:\n"
      "[{\"targets\":[\"HOST:9448\"],\"labels\":{\"node\",\"cluster\",\"rack\"}}].\n"
      "The nodes come from --node, --inventory or Kubernetes, or from the bare-metal machines of\n"
      "--cluster or --all-clusters (cluster and rack labels). packaging/prometheus has the scrape job.\n"
      "Exit codes: 0 written; 2 ARM did not answer (for some cluster: --write leaves FILE as it was);\n"
      "3 usage or configuration error.");
  cmd->callback([file, &globals, &outcome] { outcome.exit_code = run_targets(globals, *file); });
}

}  // namespace nexus_mde::plugin
