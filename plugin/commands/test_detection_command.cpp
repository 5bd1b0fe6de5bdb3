// nexus-mde test-detection
#include <iostream>
#include <memory>

#include "plugin/cli.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/detection_conversation.hpp"
#include "plugin/cluster/detection_printer.hpp"

namespace nexus_mde::plugin {

namespace {

ExitCode run_test_detection(const GlobalOptions& globals) {
  ExitCode failed = ExitCode::kUsage;
  auto setup =
      prepare_cluster_or_explain(globals, std::chrono::seconds(120), "test-detection", std::cerr, failed);
  if (!setup) return failed;
  // Each agent answers when its test ends: let it take until the deadline.
  auto patience = std::chrono::duration_cast<std::chrono::seconds>(setup->access.fan_out.deadline);
  std::vector<std::unique_ptr<DetectionConversation>> conversations;
  std::vector<Conversation*> pointers;
  for (std::size_t i = 0; i < setup->nodes.size(); ++i) {
    conversations.push_back(std::make_unique<DetectionConversation>(patience));
    pointers.push_back(conversations.back().get());
  }
  auto run = fan_out(targets_of(setup->nodes), pointers, *setup->access.tls, setup->access.fan_out);
  std::vector<NodeReport> reports;
  for (std::size_t i = 0; i < setup->nodes.size(); ++i) {
    NodeReport r{
        setup->nodes[i], run.outcomes[i], std::nullopt, std::nullopt, conversations[i]->result(), {}, {}, {}};
    if (r.detection) r.findings = findings_of(*r.detection);
    reports.push_back(std::move(r));
  }
  sort_naturally(reports);
  auto summary = ClusterSummary::of(reports, run, setup->clusters);
  print_detection_results(reports, summary, globals.output, std::cout);
  return summary.exit_code();
}

}  // namespace

void add_test_detection_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand("test-detection",
                                 "Prove that MDE catches a threat on every node: each agent writes the EICAR "
                                 "test file and watches MDE detect it");
  // Every agent answers when its test has ended, so the command always waits; --wait says so
  // explicitly in runbooks written like `scan --wait`.
  cmd->add_flag("--wait")->description("Wait for every node's result (always the case; kept for runbooks)");
  cmd->footer(
      "The agent writes the standard EICAR antivirus test string to a new file in its configured folder, "
      "then\n"
      "waits for real-time protection to report it (or runs a custom scan of it when real-time protection "
      "is\n"
      "off), and removes the file. The command waits for every node's answer (bounded by --deadline, "
      "default\n"
      "120 s). Exit codes: 0 detected everywhere; 1 some node did not detect it; 2 some node did not "
      "answer;\n"
      "3 usage or configuration error.");
  cmd->callback([&globals, &outcome] { outcome.exit_code = run_test_detection(globals); });
}

}  // namespace nexus_mde::plugin
