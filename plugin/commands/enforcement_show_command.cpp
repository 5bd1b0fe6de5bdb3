// nexus-mde enforcement show
#include <algorithm>
#include <iostream>
#include <map>
#include <string_view>
#include <unordered_map>

#include <boost/json.hpp>

#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"
#include "plugin/output/natural_order.hpp"
#include "plugin/output/printout.hpp"
#include "plugin/output/table.hpp"  // kUnknownCell

namespace nexus_mde::plugin {

namespace {

namespace json = boost::json;

struct ReportedLevel {
  std::string level;   // empty: not reported
  std::string source;  // "agent" or "arm"
};

// A node's level against the cluster's. What nobody reported is unknown, never drift: before
// api-version 2026-01-01-preview ARM has no per-machine level (docs/formats.md).
enum class Drift { kInSync, kDrift, kUnknown };

Drift drift_of(const ReportedLevel& reported, const std::string& desired) {
  if (reported.level.empty()) return Drift::kUnknown;
  return reported.level == desired ? Drift::kInSync : Drift::kDrift;
}

const char* to_string(Drift d) {
  switch (d) {
    case Drift::kInSync:
      return "in-sync";
    case Drift::kDrift:
      return "drift";
    case Drift::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* drift_cell(Drift d) {
  switch (d) {
    case Drift::kInSync:
      return "no";
    case Drift::kDrift:
      return "yes";
    case Drift::kUnknown:
      return kUnknownCell;
  }
  return kUnknownCell;
}

// Each machine's level as the node itself reports it: its agent's reading of mdatp where agent
// credentials are given (--ca-file with --token-file or --cert/--key) and the agent answers, else
// the machine's runtimeProtectionStatus in ARM. Nullopt (exit 3) when the credentials are bad.
std::optional<std::vector<ReportedLevel>> reported_levels(const GlobalOptions& globals,
                                                          const std::vector<ArmMachine>& machines) {
  std::vector<ReportedLevel> out;
  for (const auto& m : machines) out.push_back({m.enforcement_level(), "arm"});
  std::optional<AgentAccess> access;
  if (!optional_agent_access(globals, "enforcement show", std::cerr, access)) return std::nullopt;
  if (!access) return out;
  std::size_t unaddressed = 0;
  ClusterSetup setup{inventory_of(machines, unaddressed), std::move(*access), {}, globals.findings, {}};
  auto collected = collect_snapshots(setup, "/v1/status");
  std::unordered_map<std::string_view, std::size_t> index_of;
  for (std::size_t i = 0; i < machines.size(); ++i) index_of.emplace(machines[i].name, i);
  for (const auto& r : collected.reports) {
    if (r.outcome.state != ExchangeState::kOk || !r.snapshot || r.snapshot->stale ||
        !r.snapshot->enforcement.level)
      continue;
    if (auto i = index_of.find(r.node.name); i != index_of.end()) {
      out[i->second] = {std::string(to_string(*r.snapshot->enforcement.level)), "agent"};
    }
  }
  return out;
}

// What `enforcement show` found: the cluster's level and each machine's, in natural order.
struct Levels {
  ArmCluster cluster;
  std::string desired;
  std::vector<ArmMachine> machines;
  std::vector<ReportedLevel> reported;
  std::vector<Drift> drift;
  std::map<Drift, std::size_t> count;
  ExitCode code = ExitCode::kClean;
};

json::object levels_json(const Levels& l) {
  const ArmCluster& c = l.cluster;
  json::array nodes;
  for (std::size_t i = 0; i < l.machines.size(); ++i) {
    const auto& m = l.machines[i];
    const auto& [level, source] = l.reported[i];
    nodes.push_back(json::object{{"node", m.name},
                                 {"readyState", m.ready_state},
                                 {"powerState", m.power_state},
                                 {"reported", level.empty() ? json::value(nullptr) : json::value(level)},
                                 {"source", level.empty() ? json::value(nullptr) : json::value(source)},
                                 {"drift", to_string(l.drift[i])}});
  }
  auto optional = [](const std::optional<std::string>& v) {
    return v ? json::value(*v) : json::value(nullptr);
  };
  return {{"cluster", json::object{{"id", c.id},
                                   {"name", c.name},
                                   {"enforcementLevel", optional(c.enforcement_level)},
                                   {"definitionUpdateMode", optional(c.definition_update_mode)},
                                   {"desired", l.desired},
                                   {"etag", c.etag}}},
          {"nodes", std::move(nodes)},
          {"summary", json::object{{"nodes", l.machines.size()},
                                   {"inSync", l.count.at(Drift::kInSync)},
                                   {"drifting", l.count.at(Drift::kDrift)},
                                   {"unknown", l.count.at(Drift::kUnknown)},
                                   {"exitCode", to_int(l.code)}}}};
}

void print_levels(const Levels& l, OutputFormat format) {
  const ArmCluster& c = l.cluster;
  Printout printout("Enforcement");
  printout.set_document(levels_json(l));
  printout.add_text("Cluster " + c.name + ": " + l.desired + (c.enforcement_level ? "" : " (never set)") +
                    ", definition updates " + c.definition_update_mode.value_or(kUnknownCell) + "\n\n");
  PrintedTable& table = printout.add_table({"NODE", "READY", "POWER", "REPORTED", "SOURCE", "DRIFT"});
  for (std::size_t i = 0; i < l.machines.size(); ++i) {
    const auto& m = l.machines[i];
    const auto& [level, source] = l.reported[i];
    table.add({m.name, m.ready_state, m.power_state, level.empty() ? kUnknownCell : level,
               level.empty() ? kUnknownCell : source, drift_cell(l.drift[i])});
  }
  std::string line = "\n" + std::to_string(l.machines.size()) + " nodes, " +
                     std::to_string(l.count.at(Drift::kDrift)) + " not at " + l.desired;
  if (l.count.at(Drift::kUnknown) > 0)
    line += ", " + std::to_string(l.count.at(Drift::kUnknown)) + " not reporting a level";
  printout.add_text(line + "\n");
  printout.print(format, std::cout);
}

ExitCode run_show(const GlobalOptions& globals) {
  auto arm = prepare_arm_or_explain(globals, std::chrono::seconds(60), "enforcement show", std::cerr);
  if (!arm) return ExitCode::kUsage;
  ClusterDiscovery discovery(*arm, true);
  auto ran = run_arm(*arm, discovery);
  if (!ran) {
    std::cerr << "nexus-mde enforcement show: " << ran.error().describe() << "\n";
    return arm_failure_exit_code(ran.error());
  }
  Levels l;
  l.cluster = discovery.cluster();
  l.desired = l.cluster.enforcement_level.value_or("Disabled");  // never set means Disabled
  l.machines = discovery.machines();
  std::sort(l.machines.begin(), l.machines.end(),
            [](const ArmMachine& a, const ArmMachine& b) { return natural_less(a.name, b.name); });
  auto reported = reported_levels(globals, l.machines);
  if (!reported) return ExitCode::kUsage;
  l.reported = std::move(*reported);
  l.count = {{Drift::kInSync, 0}, {Drift::kDrift, 0}, {Drift::kUnknown, 0}};
  for (const auto& r : l.reported) ++l.count[l.drift.emplace_back(drift_of(r, l.desired))];
  l.code = l.count[Drift::kDrift] > 0 ? ExitCode::kFindings : ExitCode::kClean;
  print_levels(l, globals.output);
  return l.code;
}

}  // namespace

void add_enforcement_show_command(CLI::App& enforcement, const GlobalOptions& globals,
                                  CommandOutcome& outcome) {
  auto* cmd = enforcement.add_subcommand(
      "show", "The cluster's desired level, and the level each node reports (DRIFT)");
  cmd->footer(
      "Needs --cluster NAME -g RG [--subscription ID]. With agent credentials (--ca-file and --token-file "
      "or\n"
      "--cert/--key) a node's level is what its agent reads from mdatp (SOURCE agent); where no agent "
      "answers, or\n"
      "without them, the machine's runtimeProtectionStatus in ARM (SOURCE arm).\n"
      "A node that reports no level (ARM before api-version 2026-01-01-preview has none, and no agent "
      "answered)\n"
      "is DRIFT ? (unknown): it never counts as drift.\n"
      "Exit codes: 0 no node reports another level than the cluster's; 1 drift; 2 ARM could not be read; 3 "
      "usage or\n"
      "configuration error (token, flags, credentials).");
  cmd->callback([&globals, &outcome] { outcome.exit_code = run_show(globals); });
}

}  // namespace nexus_mde::plugin
