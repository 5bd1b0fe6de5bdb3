// Collects a node's MDE state by running mdatp's read-only commands: argv only, an absolute
// path, a clean environment (C locale, so dates and messages do not vary), an output cap, and a
// timeout per command that kills the command's whole process group. Every command that fails
// leaves an error in the snapshot naming the command and why; the rest is still collected.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/model/model.hpp"
#include "common/sys/process.hpp"

namespace nexus_mde::agent {

// One mdatp run, for metrics. `command` is the subcommand ("health", "scan list"), `outcome`
// one of: ok, exit-error, timeout, signal, output-cap, start-error, cancelled.
struct MdatpCall {
  std::string command;
  std::string outcome;
  std::chrono::milliseconds duration{0};
};
using MdatpCallObserver = std::function<void(const MdatpCall&)>;

// How a finished (or unstartable) run_process ended, in MdatpCall::outcome's words.
std::string_view mdatp_call_outcome(const Result<ProcessResult>& run);

// How every mdatp run is set up: argv only (run_process), an environment of only PATH and
// LC_ALL=C, an output cap, a timeout, and the daemon's cancel flag.
ProcessOptions mdatp_process_options(std::chrono::milliseconds timeout, std::size_t output_cap,
                                     const std::atomic<bool>* cancel);

struct CollectorOptions {
  std::string node;
  std::string mdatp_path;
  std::chrono::milliseconds timeout{30'000};       // per command
  std::size_t output_cap = std::size_t{64} << 20;  // per stream
  const std::atomic<bool>* cancel = nullptr;       // see ProcessOptions::cancel
  MdatpCallObserver on_call;                       // called after every mdatp run, on the caller's thread
};

// The commands, in order. When `health` cannot reach the daemon (it exits non-zero), the others
// are not run: they would fail the same way, and the node is reported as Disabled.
//   health --output json                      -> health
//   health --details antivirus                -> enforcement_level (older builds may lack it)
//   scan list --output json                   -> scans
//   threat list --output json                 -> threats
//   threat quarantine list --output json      -> quarantine
NodeSnapshot collect_snapshot(const CollectorOptions& options);

// True when mdatp did not answer at all (missing, hung, crashed, printed garbage), as opposed to
// answering that its service is stopped (a real state: Disabled).
bool collection_failed(const NodeSnapshot& snapshot);

}  // namespace nexus_mde::agent
