// nexus-mde threats
#include <iostream>

#include "common/sys/time.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/listing_printers.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"
#include "plugin/cluster/watch.hpp"

namespace nexus_mde::plugin {

void add_threats_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand("threats", "The threats and quarantined items on every node, newest first");
  auto watch = std::make_shared<WatchOptions>();
  add_watch_options(*cmd, *watch);
  cmd->footer(
      "Exit codes: 0 no threats; 1 threats or quarantined items; 2 some node did not answer; 3 usage.");
  cmd->callback([watch, &globals, &outcome] {
    ExitCode failed = ExitCode::kUsage;
    auto setup = prepare_cluster_or_explain(globals, std::chrono::seconds(30), "threats", std::cerr, failed);
    if (!setup) {
      outcome.exit_code = failed;
      return;
    }
    // Each refresh asks again on the connections the last one left open.
    ConnectionPool pool;
    if (watch->enabled) setup->access.fan_out.connection_pool = &pool;
    outcome.exit_code =
        run_watch(*watch, globals.output, "nexus-mde threats", [&](OutputFormat format, std::ostream& out) {
          auto collected = collect_snapshots(*setup, "/v1/threats");
          auto summary = ClusterSummary::of(collected.reports, collected.run, setup->clusters);
          print_threats(collected.reports, summary, {format, now_epoch_ms(), 0}, out);
          return summary.exit_code();
        });
  });
}

}  // namespace nexus_mde::plugin
