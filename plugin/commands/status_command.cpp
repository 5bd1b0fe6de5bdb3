// nexus-mde status
#include <iostream>

#include "common/sys/time.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"
#include "plugin/cluster/status_printer.hpp"
#include "plugin/cluster/watch.hpp"

namespace nexus_mde::plugin {

void add_status_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand(
      "status", "Every node's MDE health, enforcement level, definitions, last scan and threats");
  auto fold = std::make_shared<bool>(false);
  cmd->add_flag("--summary", *fold, "Fold identical healthy rows into one");
  auto watch = std::make_shared<WatchOptions>();
  add_watch_options(*cmd, *watch);
  cmd->footer(
      "Exit codes: 0 every node answered and is clean; 1 findings (unhealthy or stale MDE, threats, "
      "quarantined\n"
      "items, a failed last scan, inconsistent enforcement); 2 some node did not answer and none has "
      "findings;\n"
      "3 usage or configuration error.");
  cmd->callback([fold, watch, &globals, &outcome] {
    ExitCode failed = ExitCode::kUsage;
    auto setup = prepare_cluster_or_explain(globals, std::chrono::seconds(30), "status", std::cerr, failed);
    if (!setup) {
      outcome.exit_code = failed;
      return;
    }
    // Each refresh asks again on the connections the last one left open.
    ConnectionPool pool;
    if (watch->enabled) setup->access.fan_out.connection_pool = &pool;
    outcome.exit_code =
        run_watch(*watch, globals.output, "nexus-mde status", [&](OutputFormat format, std::ostream& out) {
          auto collected = collect_snapshots(*setup, "/v1/status");
          auto summary = ClusterSummary::of(collected.reports, collected.run, setup->clusters);
          print_status(collected.reports, summary, {format, *fold, now_epoch_ms()}, out);
          return summary.exit_code();
        });
  });
}

}  // namespace nexus_mde::plugin
