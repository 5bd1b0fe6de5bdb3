// The CLI's exit codes: a runbook contract, documented in README.md ("Exit codes").
#pragma once

namespace nexus_mde::plugin {

enum class ExitCode : int {
  kClean = 0,       // every node reached (every file read) and clean
  kFindings = 1,    // threats, unhealthy MDE, enforcement drift, a failed scan
  kIncomplete = 2,  // some node not reached, none with findings
  kUsage = 3,       // usage or configuration error, unreadable or malformed input
  kDeadline = 4,    // the deadline passed while waiting
};

inline int to_int(ExitCode code) { return static_cast<int>(code); }

}  // namespace nexus_mde::plugin
