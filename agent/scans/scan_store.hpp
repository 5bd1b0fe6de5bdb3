// Scans triggered through the agent (who, when, which, how it ended), kept in
// <stateDir>/scans.json so they survive a restart or a SIGKILL. Every save is atomic: a temporary
// file is written and fsynced, then renamed over the old one and the directory fsynced, so a crash
// leaves the old list or the new one, never half of either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "common/result.hpp"

namespace nexus_mde::agent {

struct ScanTrigger {
  std::string id;            // 32 hex digits, random
  std::string type;          // quick, full
  std::string state;         // running, succeeded, failed, interrupted
  std::string requested_by;  // the identity that asked
  std::string peer;          // from where
  std::int64_t requested_at_ms = 0;
  std::optional<std::int64_t> ended_at_ms;
  std::optional<std::int64_t> files_scanned;
  std::optional<std::int64_t> threats_detected;
  std::string error;  // why it failed or was interrupted

  bool finished() const { return state != "running"; }
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const ScanTrigger& t);

class ScanStore {
 public:
  static constexpr std::size_t kKept = 100;  // the newest triggers kept; older ones are dropped

  explicit ScanStore(std::string state_dir);

  // The saved triggers, oldest first. A missing file is an empty list; an unreadable or corrupt
  // one is an error (the caller moves it aside rather than overwrite what it cannot read).
  Result<std::vector<ScanTrigger>> load() const;
  Result<bool> save(const std::vector<ScanTrigger>& triggers) const;
  // Renames a corrupt file to scans.json.corrupt-<epoch ms> and says where it went.
  Result<std::string> move_aside(std::int64_t now_ms) const;

  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace nexus_mde::agent
