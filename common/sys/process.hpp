// Runs a child process the safe way: argv only (no shell), its own process group, a chosen
// (by default empty) environment, output caps, and a deadline after which the whole process
// group is killed. The child is always reaped before run_process returns.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/sys/result.hpp"

namespace nexus_mde {

struct ProcessOptions {
  std::chrono::milliseconds timeout{30'000};
  std::size_t output_cap = std::size_t{16} << 20;  // per stream; more kills the child
  std::vector<std::string> environment;            // "NAME=value"; empty means an empty environment
  std::optional<std::string> stdin_data;           // written to the child's stdin, then closed
  std::optional<std::string> working_directory;
  // When set and it becomes true, the child's group is killed at once (within ~50 ms): lets a
  // daemon that is shutting down stop a long mdatp scan instead of waiting for it.
  const std::atomic<bool>* cancel = nullptr;
};

struct ProcessResult {
  int exit_code = -1;          // when the child exited
  int signal = 0;              // the signal that ended it, 0 if it exited
  bool timed_out = false;      // killed at the deadline
  bool output_capped = false;  // killed for printing more than the cap
  bool cancelled = false;      // killed because ProcessOptions::cancel became true
  std::string out;
  std::string err;
  std::chrono::milliseconds duration{0};

  bool succeeded() const {
    return !timed_out && !output_capped && !cancelled && signal == 0 && exit_code == 0;
  }
  // "exit 1: <first line of stderr>", "killed by signal 11", "timed out after 30000 ms"...
  std::string describe() const;
};

// Fails (Error) only when the process cannot be started; a child that fails is a ProcessResult.
// argv[0] is run as given when it contains a '/', else looked up in PATH.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

}  // namespace nexus_mde
