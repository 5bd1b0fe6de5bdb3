// nexus-mde scans
#include <iostream>

#include "common/sys/time.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/listing_printers.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"
#include "plugin/cluster/watch.hpp"

namespace nexus_mde::plugin {

void add_scans_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand("scans", "The scans every node's mdatp reports, newest first");
  auto limit = std::make_shared<std::size_t>(5);
  cmd->add_option("--limit", *limit, "The newest N scans per node; 0 for all (default 5)")->type_name("N");
  auto watch = std::make_shared<WatchOptions>();
  add_watch_options(*cmd, *watch);
  cmd->footer(
      "Exit codes: 0 clean; 1 a node's last scan failed or was interrupted; 2 some node did not answer; 3 "
      "usage.");
  cmd->callback([limit, watch, &globals, &outcome] {
    ExitCode failed = ExitCode::kUsage;
    auto setup = prepare_cluster_or_explain(globals, std::chrono::seconds(30), "scans", std::cerr, failed);
    if (!setup) {
      outcome.exit_code = failed;
      return;
    }
    // Each refresh asks again on the connections the last one left open.
    ConnectionPool pool;
    if (watch->enabled) setup->access.fan_out.connection_pool = &pool;
    outcome.exit_code =
        run_watch(*watch, globals.output, "nexus-mde scans", [&](OutputFormat format, std::ostream& out) {
          auto collected = collect_snapshots(*setup, "/v1/scans");
          auto summary = ClusterSummary::of(collected.reports, collected.run, setup->clusters);
          print_scans(collected.reports, summary, {format, now_epoch_ms(), *limit}, out);
          return summary.exit_code();
        });
  });
}

}  // namespace nexus_mde::plugin
