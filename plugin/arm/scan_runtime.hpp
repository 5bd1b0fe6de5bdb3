// `scan --via arm`: GET the cluster (a scan cannot run at level Disabled: refused before asking),
// then POST scanRuntime {"scanActivity":"Scan"} and follow its operation (Location) to the end.
// Per-node completion is read afterwards from each machine's runtimeProtectionStatus.
#pragma once

#include <string>

#include "plugin/arm/cluster_discovery.hpp"

namespace nexus_mde::plugin {

class ScanRuntime final : public ArmConversation {
 public:
  explicit ScanRuntime(const ArmAccess& access) : ArmConversation(access) {}

  const ArmCluster& cluster() const { return cluster_; }

 protected:
  Request begin() override;
  Next on_answer(const Response& response) override;

 private:
  enum class Phase { kRead, kPost, kPoll };
  Phase phase_ = Phase::kRead;
  ArmCluster cluster_;
};

}  // namespace nexus_mde::plugin
