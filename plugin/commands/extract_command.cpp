// nexus-mde extract
#include <iostream>

#include "common/sys/time.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/status_printer.hpp"
#include "plugin/extract/extract_run.hpp"

namespace nexus_mde::plugin {

namespace {

// Data extracts are heavy for the platform: 8 at a time unless --concurrency says otherwise.
constexpr std::size_t kDefaultExtractWidth = 8;

ExitCode run_extract(const CLI::App& root, const GlobalOptions& globals, std::int64_t limit_seconds) {
  // Each extract may run limitTimeSeconds, plus the platform's own time and the download.
  auto arm = prepare_arm_or_explain(globals, std::chrono::seconds(limit_seconds + 600), "extract", std::cerr);
  if (!arm) return ExitCode::kUsage;
  std::size_t width =
      root.get_option("--concurrency")->count() > 0 ? globals.access.concurrency : kDefaultExtractWidth;
  if (width < 1 || width > 4096) {
    std::cerr << "nexus-mde extract: --concurrency: must be from 1 to 4096\n";
    return ExitCode::kUsage;
  }
  ClusterDiscovery discovery(*arm, true);
  auto ran = run_arm(*arm, discovery);
  if (!ran) {
    std::cerr << "nexus-mde extract: " << ran.error().describe() << "\n";
    return arm_failure_exit_code(ran.error());
  }
  if (discovery.machines().empty()) {
    std::cerr << "nexus-mde extract: ARM lists no bare-metal machine for cluster " << discovery.cluster().name
              << "\n";
    return ExitCode::kIncomplete;
  }
  std::cerr << "nexus-mde: mde-agent-information data extract on the ready machines of "
            << discovery.cluster().name << " (" << width << " at a time, up to " << limit_seconds
            << " s each)\n";
  auto extracted = run_extracts(*arm, discovery.machines(), limit_seconds, width, std::cerr);
  auto summary = ClusterSummary::of(extracted.reports, extracted.run);
  print_status(extracted.reports, summary, {globals.output, false, now_epoch_ms()}, std::cout);
  ExitCode code = summary.exit_code();
  if (extracted.run.deadline_passed && code != ExitCode::kFindings) code = ExitCode::kDeadline;
  return code;
}

}  // namespace

void add_extract_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand(
      "extract",
      "Every ready machine's MDE state through ARM's mde-agent-information data extract (no agent needed)");
  auto limit = std::make_shared<std::int64_t>(600);
  cmd->add_option(
         "--limit-time-seconds", *limit,
         "How long each node's extract may run, 60 to 14400 (default 600); the service stops it after that")
      ->check(CLI::Range(60, 14400))
      ->type_name("S");
  cmd->footer(
      "Needs --cluster and -g. Runs runDataExtractsRestricted (api-version 2025-07-01-preview and later; "
      "plain\n"
      "runDataExtracts before) on every powered-on, ready machine, --concurrency at a time (default 8), "
      "follows\n"
      "each operation, downloads its result from storage and reads mde-agent-information.json in memory.\n"
      "Exit codes: 0 every machine extracted and clean; 1 findings; 2 some machine skipped or failed (exit "
      "code\n"
      "252 from the service is its timeout); 3 usage or configuration error; 4 the --deadline passed\n"
      "(default --limit-time-seconds + 600 s).");
  cmd->callback([cmd, limit, &globals, &outcome] {
    outcome.exit_code = run_extract(*cmd->get_parent(), globals, *limit);
  });
}

}  // namespace nexus_mde::plugin
