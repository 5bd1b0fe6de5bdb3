// POST /v1/detection-test: proves that MDE on this node catches a threat. Writes the standard
// EICAR antivirus test string to a new file in the configured directory (never a path from the
// request), then, with real-time protection on, watches `mdatp threat list` until the threat
// shows up; otherwise runs `mdatp scan custom --path FILE`. The file is removed in every case.
// One test at a time; it runs on its own worker thread, never on the event loop.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "agent/worker/blocking_worker.hpp"
#include "common/model/detection_result.hpp"

namespace nexus_mde::agent {

struct DetectionSettings {
  std::string mdatp_path;
  std::string directory;                            // created (0700) when missing
  std::chrono::seconds wait{60};                    // how long MDE has to catch the file
  std::chrono::milliseconds mdatp_timeout{30'000};  // each `threat list`
};

// The blocking test itself (a worker thread runs it). `real_time`: real-time protection is on.
DetectionResult run_detection_test(const DetectionSettings& settings, bool real_time,
                                   const std::string& requested_by, const std::atomic<bool>* cancel);

class DetectionTester {
 public:
  using Done = std::function<void(const DetectionResult&)>;

  DetectionTester(boost::asio::io_context& ioc, DetectionSettings settings);
  ~DetectionTester();

  bool running() const { return running_; }
  // Starts a test unless one runs (false). `done` is called on the event loop when it ends;
  // not at all if the agent stops first (its connection closes with it).
  bool start(bool real_time, const std::string& requested_by, Done done);

 private:
  boost::asio::io_context& ioc_;
  DetectionSettings settings_;
  bool running_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::unique_ptr<BlockingWorker> worker_;  // made on first use; joined (its mdatp killed) first
};

}  // namespace nexus_mde::agent
