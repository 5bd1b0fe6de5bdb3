// nexus-mde scan [--type quick|full] [--via agent|arm] [--wait]
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include <boost/json.hpp>

#include "common/sys/text.hpp"
#include "common/sys/time.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/machine_poll.hpp"
#include "plugin/arm/scan_runtime.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/agent_scan_watch.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/scan_conversation.hpp"
#include "plugin/cluster/scan_printer.hpp"
#include "plugin/cluster/scan_progress.hpp"
#include "plugin/output/cells.hpp"
#include "plugin/output/natural_order.hpp"
#include "plugin/output/printout.hpp"

namespace nexus_mde::plugin {

namespace {

struct ScanOptions {
  std::string type = "quick";
  std::string via;  // empty: arm with --cluster, else agent
  bool wait = false;
};

// A machine's scan since the trigger. Skipped: powered off or not ready, so it does not scan.
enum class ArmScanState { kNotStarted, kRunning, kCompleted, kSkipped };

std::string_view to_string(ArmScanState state) {
  switch (state) {
    case ArmScanState::kNotStarted:
      return "not started";
    case ArmScanState::kRunning:
      return "running";
    case ArmScanState::kCompleted:
      return "completed";
    case ArmScanState::kSkipped:
      return "skipped";
  }
  return "?";
}

// What ARM's runtimeProtectionStatus says of the scan since the trigger.
ArmScanState arm_scan_state(const ArmMachine& m, std::int64_t triggered_ms) {
  if (m.power_state != "On" || m.ready_state != "True") return ArmScanState::kSkipped;
  auto started = m.status_time_ms("scanStartedTime");
  auto completed = m.status_time_ms("scanCompletedTime");
  bool ours = started && *started >= triggered_ms;
  if (ours && completed && *completed >= *started) return ArmScanState::kCompleted;
  return ours ? ArmScanState::kRunning : ArmScanState::kNotStarted;
}

// Through ARM: scanRuntime, then each machine's runtimeProtectionStatus until its scan started at
// or after the trigger has completed. Machines powered off or not ready do not scan: skipped.
// With agent credentials, a node whose agent reports the finished scan (its mdatp history) is
// done too, and its record (type, result, threats) is shown instead of ARM's timestamps alone.
struct ArmScanStates {
  std::int64_t triggered_ms;
  const AgentScanWatch* agents;

  ArmScanState of(const ArmMachine& m) const {
    ArmScanState state = arm_scan_state(m, triggered_ms);
    if (state != ArmScanState::kSkipped && agents && agents->finished_scan(m.name))
      return ArmScanState::kCompleted;
    return state;
  }
  bool pending(const ArmMachine& m) const {
    auto state = of(m);
    return state == ArmScanState::kRunning || state == ArmScanState::kNotStarted;
  }
};

struct ArmScanRow {
  std::string node, power, ready, started, completed;
  ArmScanState state;
  std::string source, result;
  const ScanRecord* agent_scan = nullptr;
};

struct ArmScanRun {
  std::vector<ArmScanRow> rows;  // natural order of the node names
  std::size_t running = 0, skipped = 0, with_findings = 0;

  ExitCode exit_code(bool wait) const {
    return with_findings > 0 ? ExitCode::kFindings
           : !wait           ? ExitCode::kClean
           : running > 0     ? ExitCode::kDeadline
           : skipped > 0     ? ExitCode::kIncomplete
                             : ExitCode::kClean;
  }
};

ArmScanRun arm_scan_rows(const std::vector<ArmMachine>& machines, const ArmScanStates& states) {
  ArmScanRun run;
  for (const auto& m : machines) {
    const ScanRecord* own = states.agents ? states.agents->finished_scan(m.name) : nullptr;
    auto started = own ? own->start_ms : m.status_time_ms("scanStartedTime");
    auto completed = own ? own->end_ms : m.status_time_ms("scanCompletedTime");
    ArmScanState state = states.of(m);
    run.running += states.pending(m);
    run.skipped += state == ArmScanState::kSkipped;
    std::string result = kUnknownCell;
    if (own) {
      result = cell(own->type) + " " + cell(own->state) + ", " +
               plural(static_cast<std::size_t>(own->threat_count.value_or(0)), "threat", "threats");
      bool bad = own->state == "failed" || own->state == "interrupted" || own->threat_count.value_or(0) > 0;
      run.with_findings += bad;
    }
    run.rows.push_back(ArmScanRow{m.name, m.power_state, m.ready_state,
                                  started ? *format_rfc3339_ms(*started) : kUnknownCell,
                                  completed ? *format_rfc3339_ms(*completed) : kUnknownCell, state,
                                  own ? "agent" : "arm", std::move(result), own});
  }
  std::sort(run.rows.begin(), run.rows.end(),
            [](const ArmScanRow& a, const ArmScanRow& b) { return natural_less(a.node, b.node); });
  return run;
}

boost::json::object arm_scan_json(const ArmScanRun& run, const ScanRuntime& scan, std::int64_t triggered_ms,
                                  ExitCode code) {
  boost::json::array nodes;
  for (const auto& r : run.rows) {
    boost::json::object n{{"node", r.node},
                          {"powerState", r.power},
                          {"readyState", r.ready},
                          {"scanStartedTime", r.started},
                          {"scanCompletedTime", r.completed},
                          {"state", to_string(r.state)},
                          {"source", r.source}};
    if (r.agent_scan) n["scan"] = boost::json::value_from(*r.agent_scan);
    nodes.push_back(std::move(n));
  }
  return {{"cluster", scan.cluster().id},
          {"operationStatus", scan.operation_status()},
          {"triggeredAt", *format_rfc3339_ms(triggered_ms)},
          {"nodes", std::move(nodes)},
          {"summary", boost::json::object{{"nodes", run.rows.size()},
                                          {"notCompleted", run.running},
                                          {"skipped", run.skipped},
                                          {"withFindings", run.with_findings},
                                          {"exitCode", to_int(code)}}}};
}

void print_arm_scan(const ArmScanRun& run, const ScanRuntime& scan, std::int64_t triggered_ms, ExitCode code,
                    OutputFormat format, bool wait, bool with_agents) {
  Printout printout("ArmScanRun");
  printout.set_document(arm_scan_json(run, scan, triggered_ms, code));
  PrintedTable& table = printout.add_table(
      {"NODE", "POWER", "READY", "SCAN STARTED", "SCAN COMPLETED", "STATE", "SOURCE", "RESULT"});
  for (const auto& r : run.rows) {
    table.add({r.node, r.power, r.ready, r.started, r.completed, std::string(to_string(r.state)), r.source,
               r.result});
  }
  std::string line = "\n" + std::to_string(run.rows.size()) +
                     " nodes: " + std::to_string(run.rows.size() - run.running - run.skipped) + " " +
                     (wait ? "completed" : "reported") + ", " + std::to_string(run.running) +
                     " not completed, " + std::to_string(run.skipped) + " skipped (powered off or not ready)";
  if (with_agents) line += "; " + std::to_string(run.with_findings) + " with findings";
  printout.add_text(line + "\n");
  printout.print(format, std::cout);
}

// scan --via arm: POST scanRuntime, then (with --wait) poll the machines, and the agents where
// credentials allow, until every one's scan since the trigger ended or the deadline.
ExitCode run_arm_scan(const GlobalOptions& globals, const ScanOptions& options) {
  auto arm = prepare_arm_or_explain(
      globals, options.wait ? std::chrono::seconds(3600) : std::chrono::seconds(120), "scan", std::cerr);
  if (!arm) return ExitCode::kUsage;
  std::optional<AgentAccess> agent_access;
  if (!optional_agent_access(globals, "scan", std::cerr, agent_access)) return ExitCode::kUsage;
  auto give_up_at = std::chrono::steady_clock::now() + arm->fan_out.deadline;
  const std::int64_t triggered_ms = now_epoch_ms();
  ScanRuntime scan(*arm);
  if (auto ran = run_arm(*arm, scan); !ran) {
    std::cerr << "nexus-mde scan: " << ran.error().describe() << "\n";
    return arm_failure_exit_code(ran.error());
  }
  std::cerr << "nexus-mde: scan of cluster " << scan.cluster().name << " requested through ARM ("
            << scan.operation_status() << ")\n";
  std::optional<AgentScanWatch> agents;
  if (agent_access) agents.emplace(std::move(*agent_access), triggered_ms);
  ArmScanStates states{triggered_ms, agents ? &*agents : nullptr};
  auto machines = poll_machines(
      *arm, give_up_at, options.wait,
      [&](const std::vector<ArmMachine>& ms) {
        if (agents) agents->look(ms);
        return static_cast<std::size_t>(
            std::count_if(ms.begin(), ms.end(), [&](const ArmMachine& m) { return states.pending(m); }));
      },
      "complete their scan", std::cerr);
  if (!machines) {
    std::cerr << "nexus-mde scan: " << machines.error().describe() << "\n";
    return arm_failure_exit_code(machines.error());
  }
  ArmScanRun run = arm_scan_rows(*machines, states);
  ExitCode code = run.exit_code(options.wait);
  print_arm_scan(run, scan, triggered_ms, code, globals.output, options.wait, agents.has_value());
  return code;
}

ExitCode run_scan(const GlobalOptions& globals, const ScanOptions& options) {
  std::string via =
      options.via.empty() ? (globals.arm.wanted() && !globals.arm.fleet() ? "arm" : "agent") : options.via;
  if (via == "arm") return run_arm_scan(globals, options);
  // Waiting for a full scan takes a while: an hour unless --deadline says otherwise.
  ExitCode failed = ExitCode::kUsage;
  auto setup = prepare_cluster_or_explain(
      globals, options.wait ? std::chrono::seconds(3600) : std::chrono::seconds(30), "scan", std::cerr,
      failed);
  if (!setup) return failed;
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
    fan.on_done = [&](std::size_t i, const ExchangeOutcome& outcome) {
      const auto& t = conversations[i]->trigger();
      std::size_t threats = t && t->threats_detected ? static_cast<std::size_t>(*t->threats_detected) : 0;
      std::string result = outcome.state != ExchangeState::kOk
                               ? std::string(to_string(outcome.state)) + ": " + outcome.reason
                           : t ? "scan " + t->state
                               : "no scan";
      progress.node_done(i, outcome, threats, result);
    };
    fan.on_tick = [&] { progress.tick(); };
  }
  auto run = fan_out(targets_of(setup->nodes), pointers, *setup->access.tls, fan);
  progress.finish();

  std::vector<NodeReport> reports;
  for (std::size_t i = 0; i < setup->nodes.size(); ++i) {
    NodeReport r{setup->nodes[i],
                 run.outcomes[i],
                 std::nullopt,
                 conversations[i]->trigger(),
                 std::nullopt,
                 {},
                 {},
                 {}};
    if (r.scan) r.findings = findings_of(*r.scan);
    if (conversations[i]->joined()) r.note = "joined the scan already running";
    reports.push_back(std::move(r));
  }
  sort_naturally(reports);
  auto summary = ClusterSummary::of(reports, run, setup->clusters);
  print_scan_results(reports, summary, globals.output, std::cout);
  if (summary.with_findings > 0) return ExitCode::kFindings;
  if (options.wait && run.deadline_passed) return ExitCode::kDeadline;
  return summary.exit_code();
}

}  // namespace

void add_scan_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand(
      "scan", "Start an antivirus scan on every node and, with --wait, wait for each to end");
  auto options = std::make_shared<ScanOptions>();
  cmd->add_option("--type", options->type, "quick (default) or full")
      ->check(CLI::IsMember({"quick", "full"}));
  cmd->add_option("--via", options->via,
                  "agent (each node's agent) or arm (the cluster's scanRuntime); default arm with --cluster")
      ->check(CLI::IsMember({"agent", "arm"}));
  cmd->add_flag("--wait", options->wait,
                "Wait until every node's scan has ended (long-poll; bounded by --deadline)");
  cmd->footer(
      "--via agent: POST /v1/scans on every agent, then long-poll each. --via arm (the default with "
      "--cluster):\n"
      "refused at level Disabled; POST scanRuntime through ARM, then (--wait) each machine's "
      "scanCompletedTime.\n"
      "Exit codes: 0 every scan started (with --wait: ended clean); 1 a scan failed, was interrupted or "
      "found\n"
      "threats (agent); 2 some node did not answer, or was skipped (arm: powered off or not ready); 3 "
      "usage;\n"
      "4 the deadline passed while waiting (default 3600 s).");
  cmd->callback([options, &globals, &outcome] { outcome.exit_code = run_scan(globals, *options); });
}

}  // namespace nexus_mde::plugin
