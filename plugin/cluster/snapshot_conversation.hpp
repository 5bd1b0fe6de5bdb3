// GET one of the agent's snapshot routes (/v1/status, /v1/scans, /v1/threats) on every node and
// keep the parsed answer: the conversation behind `status`, `scans`, `threats` and `nodes`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/model/model.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/cluster/node_report.hpp"
#include "plugin/fanout/conversation.hpp"

namespace nexus_mde::plugin {

class SnapshotConversation final : public Conversation {
 public:
  // `node`: the name asked for; an answer whose snapshot names another node is identity-mismatch.
  SnapshotConversation(std::string target, std::string node)
      : target_(std::move(target)), node_(std::move(node)) {}
  Request first() override { return Request{HttpMethod::kGet, target_, {}, {}, {}, {}, {}}; }
  Next next(const Response& response) override;
  std::optional<NodeSnapshot>& snapshot() { return snapshot_; }

 private:
  std::string target_;
  std::string node_;
  std::optional<NodeSnapshot> snapshot_;
};

struct SnapshotRun {
  std::vector<NodeReport> reports;  // natural order, findings filled in
  FanOutResult run;
};

SnapshotRun collect_snapshots(const ClusterSetup& setup, const std::string& target);

}  // namespace nexus_mde::plugin
