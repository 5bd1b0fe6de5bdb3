// nexus-mde nodes
#include <iostream>

#include <boost/json.hpp>

#include "plugin/cli.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"
#include "plugin/output/table.hpp"

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
    if (globals.output == OutputFormat::kJson || globals.output == OutputFormat::kYaml) {
      print_nodes_document("NodeList", collected.reports, summary, globals.output, std::cout,
                           [](const NodeReport& r, boost::json::object& node) {
                             node.erase("findings");
                             node["source"] = r.node.source;
                             auto note = agent_name_note(r);
                             node["note"] =
                                 note.empty() ? boost::json::value(nullptr) : boost::json::value(note);
                           });
    } else {
      Table table(headers_for({"NODE", "ADDRESS", "STATE", "LATENCY", "DETAIL"}, summary));
      for (const auto& r : collected.reports) {
        auto row = row_start(r, summary);
        row.insert(row.end(), {r.node.endpoint(), std::string(to_string(r.outcome.state)),
                               std::to_string(r.outcome.latency.count()) + " ms",
                               r.outcome.reason.empty() ? agent_name_note(r) : r.outcome.reason});
        if (globals.output == OutputFormat::kTsv)
          write_tsv_row(std::cout, row);
        else
          table.add_row(std::move(row));
      }
      if (globals.output == OutputFormat::kTable) {
        table.print(std::cout);
        print_table_footer(collected.reports, summary, false, std::cout);
      }
      std::cout.flush();
    }
    outcome.exit_code = summary.exit_code();
  });
}

}  // namespace nexus_mde::plugin
