// `enforcement set LEVEL`: a read-modify-write of the cluster's runtimeProtectionConfiguration.
// GET the cluster (its etag and the field not being changed), PATCH both fields with If-Match
// (another writer in between makes ARM refuse rather than lose an update), follow the operation
// to its end, then GET the cluster again to read what it now says.
#pragma once

#include <optional>
#include <string>

#include "plugin/arm/cluster_discovery.hpp"

namespace nexus_mde::plugin {

class EnforcementUpdate final : public ArmConversation {
 public:
  // `if_match`: the etag the operator saw (enforcement show); empty: the one read just before.
  EnforcementUpdate(const ArmAccess& access, std::string level,
                    std::optional<std::string> definition_update_mode, std::string if_match = {})
      : ArmConversation(access),
        level_(std::move(level)),
        update_mode_(std::move(definition_update_mode)),
        if_match_(std::move(if_match)) {}

  const ArmCluster& before() const { return before_; }
  const ArmCluster& after() const { return after_; }

 protected:
  Request begin() override;
  Next on_answer(const Response& response) override;

 private:
  enum class Phase { kRead, kPatch, kPoll, kReread };
  std::string level_;
  std::optional<std::string> update_mode_;
  std::string if_match_;
  Phase phase_ = Phase::kRead;
  ArmCluster before_;
  ArmCluster after_;
};

}  // namespace nexus_mde::plugin
