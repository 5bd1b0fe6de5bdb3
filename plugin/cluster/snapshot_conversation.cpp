#include "plugin/cluster/snapshot_conversation.hpp"

#include <memory>
#include <string_view>

#include "common/json/json_reader.hpp"
#include "common/model/model_json.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"
#include "plugin/arm/machine_snapshot.hpp"

namespace nexus_mde::plugin {

Next SnapshotConversation::next(const Response& response) {
  if (auto failure = classify_http_failure(response)) return Next::fail(std::move(*failure));
  auto doc = parse_json_text(response.body, target_);
  if (!doc)
    return Next::fail({ExchangeState::kAgentError, "the answer is not JSON: " + doc.error().describe()});
  auto snapshot = snapshot_from_json(*doc);
  if (!snapshot)
    return Next::fail(
        {ExchangeState::kAgentError, "the answer is not a snapshot: " + snapshot.error().describe()});
  // The agent names the node it runs on; an answer from another node must not show as this one.
  if (!node_.empty() && !snapshot->node.empty() && snapshot->node != node_) {
    return Next::fail({ExchangeState::kIdentityMismatch, "asked " + node_ +
                                                             ", but the agent that answered says it is " +
                                                             snapshot->node + "; its data is not shown"});
  }
  snapshot_ = std::move(*snapshot);
  return Next::done();
}

namespace {

// A machine ARM lists whose agent cannot be reached (nothing listening, or no answer) is not a
// blank row: it keeps its state (unreachable, timeout) and shows what ARM's
// runtimeProtectionStatus says, with source "arm". Errors after a connection (TLS, auth, HTTP,
// another node's identity) mean something answered and was refused: no ARM data stands in.
void fall_back_to_arm(NodeReport& r, const ArmMachine* machine) {
  if (r.outcome.state != ExchangeState::kUnreachable && r.outcome.state != ExchangeState::kTimeout) return;
  if (!machine || !has_runtime_protection_status(*machine)) return;
  r.source = "arm";
  r.outcome.reason = "no agent answered (" + r.outcome.reason + ")";
  r.snapshot = snapshot_from_arm(*machine, now_epoch_ms());
  r.note =
      "MDE state from ARM's runtimeProtectionStatus; threats, quarantine and scan results need the agent";
}

}  // namespace

SnapshotRun collect_snapshots(const ClusterSetup& setup, const std::string& target) {
  std::vector<std::unique_ptr<SnapshotConversation>> conversations;
  std::vector<Conversation*> pointers;
  for (std::size_t i = 0; i < setup.nodes.size(); ++i) {
    conversations.push_back(std::make_unique<SnapshotConversation>(target, setup.nodes[i].name));
    pointers.push_back(conversations.back().get());
  }
  SnapshotRun out;
  // Each node's conversation keeps only its own answer: the nodes can be spread over threads.
  FanOutOptions options = setup.access.fan_out;
  options.threads = fan_out_threads_for(setup.nodes.size());
  out.run = fan_out(targets_of(setup.nodes), pointers, *setup.access.tls, options);
  MachineIndex machines(setup.machines);  // with --cluster
  for (std::size_t i = 0; i < setup.nodes.size(); ++i) {
    NodeReport r{setup.nodes[i],
                 out.run.outcomes[i],
                 std::move(conversations[i]->snapshot()),
                 std::nullopt,
                 std::nullopt,
                 {},
                 {},
                 {}};
    if (r.outcome.state != ExchangeState::kOk) r.snapshot.reset();
    if (r.snapshot) r.source = "agent";
    fall_back_to_arm(r, machines.of(r.node));
    if (r.snapshot) {
      r.findings = findings_of(*r.snapshot, setup.findings);
      if (std::size_t test = test_threats(*r.snapshot);
          test > 0 && !setup.findings.include_test_detections && r.note.empty()) {
        r.note = plural(test, "threat", "threats") +
                 " from the detection test: not a finding (--include-test-detections counts it)";
      }
    }
    out.reports.push_back(std::move(r));
  }
  sort_naturally(out.reports);
  warn_about(out.reports);
  return out;
}

}  // namespace nexus_mde::plugin
