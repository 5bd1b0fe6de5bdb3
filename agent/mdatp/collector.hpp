// Collects a node's MDE state by running mdatp's read-only commands: argv only, an absolute
// path, a clean environment (C locale, so dates and messages do not vary), an output cap, and a
// timeout per command that kills the command's whole process group. Every command that fails
// leaves an error in the snapshot naming the command and why; the rest is still collected.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/model.hpp"

namespace nexus_mde::agent {

struct CollectorOptions {
  std::string node;
  std::string mdatp_path;
  std::chrono::milliseconds timeout{30'000};   // per command
  std::size_t output_cap = 64 * 1024 * 1024;  // per stream
};

// The commands, in order. When `health` cannot reach the daemon (it exits non-zero), the others
// are not run: they would fail the same way, and the node is reported as Disabled.
//   health --output json                      -> health
//   health --details antivirus                -> enforcement_level (older builds may lack it)
//   scan list --output json                   -> scans
//   threat list --output json                 -> threats
//   threat quarantine list --output json      -> quarantine
NodeSnapshot collect_snapshot(const CollectorOptions& options);

}  // namespace nexus_mde::agent
