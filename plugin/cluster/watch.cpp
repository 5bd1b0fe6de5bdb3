#include "plugin/cluster/watch.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <ctime>
#include <iostream>
#include <sstream>

#include "common/sys/time.hpp"

namespace nexus_mde::plugin {

namespace {

// SIGINT and SIGTERM are held while watching, and taken between answers by sigtimedwait. They are
// blocked before the first answer, so the fan-out's threads inherit the mask and never take them.
class HeldSignals {
 public:
  HeldSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~HeldSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

  // True when a signal came within `seconds`.
  bool wait(double seconds) const {
    timespec ts{static_cast<time_t>(seconds), static_cast<long>(std::fmod(seconds, 1.0) * 1e9)};
    for (;;) {
      int got = sigtimedwait(&set_, nullptr, &ts);
      if (got > 0) return true;
      if (errno != EINTR) return false;  // EAGAIN: the interval passed
    }
  }

 private:
  sigset_t set_{};
  sigset_t previous_{};
};

// watch(1)'s first line: what is shown, how often, and when.
std::string heading(const std::string& title, double interval) {
  std::ostringstream h;
  auto now = format_rfc3339_ms(now_epoch_ms());
  h << "Every " << interval << "s: " << title << "    " << (now ? *now : std::string()) << "\n\n";
  return h.str();
}

}  // namespace

void add_watch_options(CLI::App& command, WatchOptions& options) {
  command.add_flag(
      "-w,--watch", options.enabled,
      "Ask again every --interval seconds until Ctrl-C: a redrawn table at a terminal, else one JSON "
      "document per line; the exit code is the last answer's");
  command
      .add_option("--interval", options.interval_seconds, "Seconds between answers with --watch (default 2)")
      ->check(CLI::Range(0.1, 86400.0))
      ->type_name("S");
}

ExitCode run_watch(const WatchOptions& options, OutputFormat format, const std::string& title,
                   const Refresh& refresh) {
  if (!options.enabled) return refresh(format, std::cout);
  HeldSignals signals;
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  ExitCode last = ExitCode::kClean;
  do {
    std::ostringstream answer;
    last = refresh(terminal ? format : OutputFormat::kJson, answer);
    // At a terminal: home, clear, then the whole answer in one write, so the screen never shows
    // half of one.
    if (terminal) std::cout << "\x1b[H\x1b[2J" << heading(title, options.interval_seconds);
    std::cout << answer.str() << std::flush;
  } while (!signals.wait(options.interval_seconds));
  return last;
}

}  // namespace nexus_mde::plugin
