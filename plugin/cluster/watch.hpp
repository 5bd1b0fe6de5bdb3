// --watch/-w for status, scans and threats: ask again every --interval seconds until Ctrl-C or
// SIGTERM. At a terminal each answer replaces the last on the screen, as watch(1) shows it;
// otherwise each is one JSON document on one line (whatever -o says), for a consumer that reads
// a stream of documents. A signal during an answer ends the watch once that answer is printed,
// so no document is cut short.
#pragma once

#include <chrono>
#include <functional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "plugin/exit_codes.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

struct WatchOptions {
  bool enabled = false;
  double interval_seconds = 2;
};

void add_watch_options(CLI::App& command, WatchOptions& options);

// One answer, printed in `format` on `out`; its exit code.
using Refresh = std::function<ExitCode(OutputFormat format, std::ostream& out)>;

// Without --watch, one refresh. With it, refreshes until a signal; the exit code is the last
// answer's.
ExitCode run_watch(const WatchOptions& options, OutputFormat format, const std::string& title,
                   const Refresh& refresh);

}  // namespace nexus_mde::plugin
