// Scans triggered through the agent: one at a time (a second trigger while one runs is refused,
// 409), `mdatp scan quick|full` run off the event loop with its own timeout, every state change
// saved (ScanStore) before it is reported, and long-polls answered the moment the scan ends.
// A scan still "running" in the saved list when the agent starts was cut off by a crash or a
// kill: it becomes "interrupted".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent/log/event_log.hpp"
#include "agent/mdatp/collector.hpp"
#include "agent/scans/scan_store.hpp"
#include "agent/worker/blocking_worker.hpp"

namespace nexus_mde::agent {

struct ScanSettings {
  std::string mdatp_path;
  std::chrono::seconds timeout{6 * 3600};
  std::string state_dir;
};

class ScanManager {
 public:
  using Finished = std::function<void(const ScanTrigger&, const MdatpCall&)>;
  using Waiter = std::function<void(const ScanTrigger*)>;  // null: no such scan

  ScanManager(boost::asio::io_context& ioc, ScanSettings settings, const EventLog& log, Finished on_finished);
  ~ScanManager();

  // Reads the saved triggers and marks the ones left running as interrupted. Returns a note for
  // the journal when something had to be repaired (a corrupt file moved aside, interrupted scans).
  Result<std::vector<std::string>> load();

  struct Refused {
    unsigned status;  // 409 a scan runs, 503 the trigger could not be saved
    std::string code;
    std::string message;
  };
  // Starts a scan of `type` ("quick"/"full") for `identity`, or says why not.
  std::variant<ScanTrigger, Refused> trigger(const std::string& type, const std::string& identity,
                                             const std::string& peer);

  const ScanTrigger* find(const std::string& id) const;
  const std::vector<ScanTrigger>& triggers() const { return triggers_; }

  // Calls `done` when scan `id` has finished, or after `patience`, whichever comes first.
  void wait(const std::string& id, std::chrono::milliseconds patience, Waiter done);
  // Answers every waiter now (the agent is stopping).
  void release_waiters();

 private:
  void on_scan_ended(std::string id, Result<ProcessResult> run, std::chrono::milliseconds duration);
  ScanTrigger* find_mutable(const std::string& id);
  void persist_or_log(const char* when);

  struct PendingWait {
    std::string id;
    Waiter done;
    std::shared_ptr<boost::asio::steady_timer> timer;
  };

  boost::asio::io_context& ioc_;
  ScanSettings settings_;
  const EventLog& log_;
  Finished on_finished_;
  ScanStore store_;
  std::vector<ScanTrigger> triggers_;
  std::optional<std::string> running_id_;
  std::vector<std::shared_ptr<PendingWait>> waits_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<BlockingWorker> worker_;  // last: joined (and its mdatp killed) first
};

// 32 random hex digits from the kernel's CSPRNG.
std::string new_scan_id();

}  // namespace nexus_mde::agent
