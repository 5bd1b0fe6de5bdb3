// Waiting for something a test started, whatever the machine's speed: a process is ready when it
// says so (sd_notify READY=1 on a socket the test owns, or a line in its log), and a condition is
// polled with backoff until one generous overall deadline. Tests never count tries with short
// timeouts: on a loaded 2-core machine under sanitizers those fail where nothing is wrong.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace nexus_mde::testing {

// The one deadline for "it should have happened by now": 180 s, or NEXUS_MDE_TEST_READY_SECONDS.
// Only a broken program waits this long; a working one is waited for only as long as it takes.
std::chrono::milliseconds ready_deadline();

// Polls `done` (10 ms, doubling to 250 ms) until it returns true or `deadline` passes.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = ready_deadline());

// Waits until `file` contains `text`.
bool wait_for_text(const std::filesystem::path& file, std::string_view text,
                   std::chrono::milliseconds deadline = ready_deadline());

// A datagram socket like systemd's NOTIFY_SOCKET, bound in a short private directory (a socket
// path has at most 107 bytes, the build tree's may be longer). Collects what the child sends.
class NotifySocket {
 public:
  NotifySocket();
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  std::string environment() const { return "NOTIFY_SOCKET=" + path_.string(); }
  // Receives until `done(messages so far)` holds, `stop()` holds, or the deadline passes; returns
  // whether `done` held. Messages are kept, one per line.
  bool receive_until(const std::function<bool(const std::string&)>& done,
                     const std::function<bool()>& stop = {},
                     std::chrono::milliseconds deadline = ready_deadline());
  const std::string& messages() const { return messages_; }
  // How many times `state` (e.g. "WATCHDOG=1") was received.
  std::size_t count(std::string_view state) const;

 private:
  std::filesystem::path dir_, path_;
  int fd_ = -1;
  std::string messages_;
};

}  // namespace nexus_mde::testing
