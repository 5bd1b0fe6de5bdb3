// `nexus-mde test-detection` with one node: POST /v1/detection-test, answered when the agent has
// proven (or failed to prove) that MDE catches the EICAR test file.
#pragma once

#include <chrono>
#include <optional>

#include "common/model/detection_result.hpp"
#include "plugin/fanout/conversation.hpp"

namespace nexus_mde::plugin {

class DetectionConversation final : public Conversation {
 public:
  // `patience`: how long the agent may take to answer (the test's own wait, on top of --timeout).
  explicit DetectionConversation(std::chrono::seconds patience) : patience_(patience) {}

  Request first() override {
    return Request{HttpMethod::kPost, "/v1/detection-test", "{}", patience_, {}, {}, {}};
  }
  Next next(const Response& response) override;

  const std::optional<DetectionResult>& result() const { return result_; }

 private:
  std::chrono::seconds patience_;
  std::optional<DetectionResult> result_;
};

}  // namespace nexus_mde::plugin
