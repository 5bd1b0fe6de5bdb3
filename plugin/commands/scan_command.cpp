// nexus-mde scan [--type quick|full] --via agent [--wait]
#include <unistd.h>

#include <iostream>
#include <memory>

#include "plugin/cli.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/scan_conversation.hpp"
#include "plugin/cluster/scan_printer.hpp"
#include "plugin/cluster/scan_progress.hpp"

namespace nexus_mde::plugin {

namespace {

struct ScanOptions {
  std::string type = "quick";
  std::string via = "agent";
  bool wait = false;
};

ExitCode run_scan(const GlobalOptions& globals, const ScanOptions& options) {
  // Waiting for a full scan takes a while: an hour unless --deadline says otherwise.
  auto setup = prepare_cluster_or_explain(globals, options.wait ? std::chrono::seconds(3600) : std::chrono::seconds(30),
                                          "scan", std::cerr);
  if (!setup) return ExitCode::kUsage;
  auto give_up_at = std::chrono::steady_clock::now() + setup->access.fan_out.deadline;
  std::vector<std::unique_ptr<ScanConversation>> conversations;
  std::vector<Conversation*> pointers;
  for (std::size_t i = 0; i < setup->nodes.size(); ++i) {
    conversations.push_back(std::make_unique<ScanConversation>(options.type, options.wait, give_up_at));
    pointers.push_back(conversations.back().get());
  }
  ScanProgress progress(setup->nodes, ::isatty(STDERR_FILENO) == 1, std::cerr);
  FanOutOptions fan = setup->access.fan_out;
  if (options.wait) {
    fan.on_node_done = [&](std::size_t i, const NodeOutcome& outcome) {
      const auto& t = conversations[i]->trigger();
      std::size_t threats = t && t->threats_detected ? static_cast<std::size_t>(*t->threats_detected) : 0;
      std::string result = outcome.state != NodeState::kOk ? std::string(to_string(outcome.state)) + ": " + outcome.reason
                           : t                               ? "scan " + t->state
                                                             : "no scan";
      progress.node_done(i, outcome, threats, result);
    };
    fan.on_tick = [&] { progress.tick(); };
  }
  auto run = fan_out(setup->nodes, pointers, *setup->access.tls, fan);
  progress.finish();

  std::vector<NodeReport> reports;
  for (std::size_t i = 0; i < setup->nodes.size(); ++i) {
    NodeReport r{setup->nodes[i], run.nodes[i], std::nullopt, conversations[i]->trigger(), std::nullopt, {}, {}};
    if (r.scan) r.findings = findings_of(*r.scan);
    if (conversations[i]->joined()) r.note = "joined the scan already running";
    reports.push_back(std::move(r));
  }
  sort_naturally(reports);
  auto summary = ClusterSummary::of(reports, run);
  print_scan_results(reports, summary, globals.output, std::cout);
  if (summary.with_findings > 0) return ExitCode::kFindings;
  if (options.wait && run.deadline_passed) return ExitCode::kDeadline;
  return summary.exit_code();
}

}  // namespace

void add_scan_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand("scan", "Start an antivirus scan on every node and, with --wait, wait for each to end");
  auto options = std::make_shared<ScanOptions>();
  cmd->add_option("--type", options->type, "quick (default) or full")->check(CLI::IsMember({"quick", "full"}));
  cmd->add_option("--via", options->via, "agent: through each node's agent (ARM comes with --cluster)")
      ->check(CLI::IsMember({"agent"}));
  cmd->add_flag("--wait", options->wait, "Wait until every node's scan has ended (long-poll; bounded by --deadline)");
  cmd->footer(
      "Exit codes: 0 every scan started (with --wait: ended clean); 1 a scan failed, was interrupted or found\n"
      "threats; 2 some node did not answer; 3 usage; 4 the deadline passed while waiting (default 3600 s).");
  cmd->callback([options, &globals, &outcome] { outcome.exit_code = run_scan(globals, *options); });
}

}  // namespace nexus_mde::plugin
