// The agent's log: structured journald entries (sd_journal_send) with PRIORITY, MESSAGE_ID and the
// fields an auditor filters on (NODE, PEER, IDENTITY, ROUTE, STATUS, DURATION_MS), or one line
// per entry on stderr for foreground runs (--log-target stderr).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus_mde::agent {

enum class LogTarget { kJournal, kStderr };

// syslog priorities, as journald wants them.
enum class Priority { kError = 3, kWarning = 4, kNotice = 5, kInfo = 6, kDebug = 7 };

// journalctl MESSAGE_ID=… finds every entry of one kind, across restarts and versions.
namespace message_id {
inline constexpr std::string_view kStarted = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c01";
inline constexpr std::string_view kStopping = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c02";
inline constexpr std::string_view kAuthFailure = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c10";
inline constexpr std::string_view kScanTrigger = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c11";
inline constexpr std::string_view kScanFinished = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c12";
inline constexpr std::string_view kDetectionTest = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c13";
inline constexpr std::string_view kConfigReload = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c20";
inline constexpr std::string_view kMdatpFailure = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c30";
inline constexpr std::string_view kRequestRejected = "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c40";
}  // namespace message_id

// Fields beyond MESSAGE, PRIORITY and MESSAGE_ID: {"PEER", "127.0.0.5:40112"}, ...
using LogFields = std::vector<std::pair<std::string_view, std::string>>;

class EventLog {
 public:
  EventLog(LogTarget target, std::string node) : target_(target), node_(std::move(node)) {}

  void write(Priority priority, std::string_view id, std::string_view message,
             const LogFields& fields = {}) const;

 private:
  LogTarget target_;
  std::string node_;
};

}  // namespace nexus_mde::agent
