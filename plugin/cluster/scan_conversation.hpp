// `nexus-mde scan --via agent [--wait]` with one node: POST /v1/scans, then (with --wait)
// long-poll GET /v1/scans/{id}?wait=S until the scan ends. A node already scanning (409) is
// joined rather than failed when waiting: its running scan is found in GET /v1/scans.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/model/scan_trigger.hpp"
#include "plugin/fanout/conversation.hpp"

namespace nexus_mde::plugin {

class ScanConversation final : public Conversation {
 public:
  // `give_up_at`: the run's deadline, so that no long-poll asks to wait beyond it.
  ScanConversation(std::string type, bool wait, std::chrono::steady_clock::time_point give_up_at,
                   std::chrono::seconds poll = std::chrono::seconds(60));

  Request first() override;
  Next next(const Response& response) override;

  const std::optional<ScanTrigger>& trigger() const { return trigger_; }
  bool joined() const { return joined_; }  // the scan was already running, not started by us

 private:
  enum class Phase { kTrigger, kFindRunning, kWait };
  Request wait_request() const;
  Next on_trigger(const Response& response);
  Next on_find_running(const Response& response);
  Next on_wait(const Response& response);

  std::string type_;
  bool wait_;
  std::chrono::steady_clock::time_point give_up_at_;
  std::chrono::seconds poll_;
  Phase phase_ = Phase::kTrigger;
  bool retried_trigger_ = false;
  bool joined_ = false;
  std::optional<ScanTrigger> trigger_;
};

}  // namespace nexus_mde::plugin
