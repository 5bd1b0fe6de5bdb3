// Scans triggered through the agent (who, when, which, how it ended), kept in
// <stateDir>/scans.json so they survive a restart or a SIGKILL. Every save is atomic: a temporary
// file is written and fsynced, then renamed over the old one and the directory fsynced, so a crash
// leaves the old list or the new one, never half of either.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/model/scan_trigger.hpp"
#include "common/sys/result.hpp"

namespace nexus_mde::agent {

using nexus_mde::ScanTrigger;

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
