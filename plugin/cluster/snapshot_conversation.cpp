#include "plugin/cluster/snapshot_conversation.hpp"

#include <memory>

#include "common/json_reader.hpp"
#include "common/model_json.hpp"

namespace nexus_mde::plugin {

Next SnapshotConversation::next(const AgentResponse& response) {
  if (auto failure = classify_http_failure(response)) return Next::fail(std::move(*failure));
  auto doc = parse_json_text(response.body, target_);
  if (!doc) return Next::fail({NodeState::kAgentError, "the answer is not JSON: " + doc.error().describe()});
  auto snapshot = snapshot_from_json(*doc);
  if (!snapshot) return Next::fail({NodeState::kAgentError, "the answer is not a snapshot: " + snapshot.error().describe()});
  snapshot_ = std::move(*snapshot);
  return Next::done();
}

SnapshotRun collect_snapshots(const ClusterSetup& setup, const std::string& target) {
  std::vector<std::unique_ptr<SnapshotConversation>> conversations;
  std::vector<Conversation*> pointers;
  for (std::size_t i = 0; i < setup.nodes.size(); ++i) {
    conversations.push_back(std::make_unique<SnapshotConversation>(target));
    pointers.push_back(conversations.back().get());
  }
  SnapshotRun out;
  out.run = fan_out(setup.nodes, pointers, *setup.access.tls, setup.access.fan_out);
  for (std::size_t i = 0; i < setup.nodes.size(); ++i) {
    NodeReport r{setup.nodes[i], out.run.nodes[i], std::move(conversations[i]->snapshot()), std::nullopt, std::nullopt, {}, {}};
    if (r.outcome.state != NodeState::kOk) r.snapshot.reset();
    if (r.snapshot) r.findings = findings_of(*r.snapshot);
    out.reports.push_back(std::move(r));
  }
  sort_naturally(out.reports);
  return out;
}

}  // namespace nexus_mde::plugin
