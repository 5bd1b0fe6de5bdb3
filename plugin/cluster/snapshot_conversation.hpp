// GET one of the agent's snapshot routes (/v1/status, /v1/scans, /v1/threats) on every node and
// keep the parsed answer: the conversation behind `status`, `scans`, `threats` and `nodes`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/model.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/node_report.hpp"
#include "plugin/fanout/conversation.hpp"

namespace nexus_mde::plugin {

class SnapshotConversation final : public Conversation {
 public:
  explicit SnapshotConversation(std::string target) : target_(std::move(target)) {}
  AgentRequest first() override { return AgentRequest{HttpMethod::kGet, target_, {}, {}, {}, {}, {}}; }
  Next next(const AgentResponse& response) override;
  std::optional<NodeSnapshot>& snapshot() { return snapshot_; }

 private:
  std::string target_;
  std::optional<NodeSnapshot> snapshot_;
};

struct SnapshotRun {
  std::vector<NodeReport> reports;  // natural order, findings filled in
  FanOutResult run;
};

SnapshotRun collect_snapshots(const ClusterSetup& setup, const std::string& target);

}  // namespace nexus_mde::plugin
