// nexus-mde nodes
#include <iostream>

#include <boost/json.hpp>

#include "plugin/cli.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"

namespace nexus_mde::plugin {

namespace {

// The agent answered, but as another node: an inventory mistake worth saying.
std::string agent_name_note(const NodeReport& r) {
  if (!r.snapshot || r.snapshot->node.empty() || r.snapshot->node == r.node.name) return {};
  return "the agent calls itself " + r.snapshot->node;
}

}  // namespace

void add_nodes_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand("nodes", "The inventory, and whether each node's agent answers");
  cmd->footer("Exit codes: 0 every agent answered; 2 some did not; 3 usage or configuration error.");
  cmd->callback([&globals, &outcome] {
    ExitCode failed = ExitCode::kUsage;
    auto setup = prepare_cluster_or_explain(globals, std::chrono::seconds(30), "nodes", std::cerr, failed);
    if (!setup) {
      outcome.exit_code = failed;
      return;
    }
    auto collected = collect_snapshots(*setup, "/v1/status");
    for (auto& r : collected.reports) r.findings.clear();  // nodes reports reachability, not MDE findings
    auto summary = ClusterSummary::of(collected.reports, collected.run, setup->clusters);
    Printout printout("NodeList");
    printout.set_document(
        nodes_document(collected.reports, summary, [](const NodeReport& r, boost::json::object& node) {
          node.erase("findings");
          node["source"] = r.node.source;
          auto note = agent_name_note(r);
          node["note"] = note.empty() ? boost::json::value(nullptr) : boost::json::value(note);
        }));
    add_node_rows(printout, {"NODE", "ADDRESS", "STATE", "LATENCY", "DETAIL"}, collected.reports, summary,
                  [](const NodeReport& r) {
                    return PrintedRow{{r.node.endpoint(), std::string(to_string(r.outcome.state)),
                                       std::to_string(r.outcome.latency.count()) + " ms",
                                       r.outcome.reason.empty() ? agent_name_note(r) : r.outcome.reason},
                                      {}};
                  });
    add_table_footer(printout, collected.reports, summary, false);
    printout.print(globals.output, std::cout);
    outcome.exit_code = summary.exit_code();
  });
}

}  // namespace nexus_mde::plugin
