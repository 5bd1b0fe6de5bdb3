// A thread for work that blocks (running mdatp), so the event loop never does. Jobs run one at a
// time in order; their results go back to the loop by whatever the job posts. On destruction the
// cancel flag is raised (a running mdatp is killed within ~50 ms, see ProcessOptions::cancel), the
// jobs not yet started are dropped, and the thread is joined.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace nexus_mde::agent {

class BlockingWorker {
 public:
  BlockingWorker();
  ~BlockingWorker();
  BlockingWorker(const BlockingWorker&) = delete;
  BlockingWorker& operator=(const BlockingWorker&) = delete;

  void submit(std::function<void()> job);
  // Raised when the worker is being stopped; pass it to ProcessOptions::cancel.
  const std::atomic<bool>* cancel_flag() const { return &stopping_; }

 private:
  void loop();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace nexus_mde::agent
