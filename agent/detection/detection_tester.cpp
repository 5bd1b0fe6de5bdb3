#include "agent/detection/detection_tester.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <boost/asio/post.hpp>

#include "agent/mdatp/collector.hpp"
#include "common/mdatp/eicar.hpp"
#include "common/mdatp/mdatp_parsers.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::agent {

namespace {

// A new file holding the test string, or an error. O_EXCL and O_NOFOLLOW: never an existing
// file, never through a link someone placed there.
Result<std::string> write_test_file(const std::string& directory) {
  if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
    return make_error(std::string("cannot create the folder: ") + std::strerror(errno), directory);
  }
  std::string path = directory + "/" + detection_file_name(random_hex(8));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(std::string("cannot create: ") + std::strerror(errno), path);
  bool ok = ::write(fd, kEicarTestString.data(), kEicarTestString.size()) ==
                static_cast<ssize_t>(kEicarTestString.size()) &&
            ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return make_error(std::string("cannot write: ") + std::strerror(saved), path);
  }
  return path;
}

// The threat mdatp lists for `path`, if any.
std::optional<Threat> listed_threat(const DetectionSettings& s, const std::string& path,
                                    const std::atomic<bool>* cancel, std::string& error) {
  auto run = run_process({s.mdatp_path, "threat", "list", "--output", "json"},
                         mdatp_process_options(s.mdatp_timeout, std::size_t{16} << 20, cancel));
  if (!run) {
    error = "mdatp could not be started: " + run.error().describe();
    return std::nullopt;
  }
  if (!run->succeeded()) {
    error = "mdatp threat list: " + run->describe();
    return std::nullopt;
  }
  auto list = parse_threat_list_json(run->out);
  if (!list) {
    error = "mdatp threat list: unexpected output: " + list.error().describe();
    return std::nullopt;
  }
  for (auto& t : list->threats) {
    if (t.path && *t.path == path) return t;
  }
  return std::nullopt;
}

bool sleep_unless_cancelled(std::chrono::milliseconds pause, const std::atomic<bool>* cancel) {
  for (auto slept = std::chrono::milliseconds(0); slept < pause; slept += std::chrono::milliseconds(50)) {
    if (cancel && cancel->load()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return !(cancel && cancel->load());
}

}  // namespace

DetectionResult run_detection_test(const DetectionSettings& s, bool real_time,
                                   const std::string& requested_by, const std::atomic<bool>* cancel) {
  DetectionResult r;
  r.requested_by = requested_by;
  r.started_at_ms = now_epoch_ms();
  r.method = real_time ? "real-time" : "scan";
  auto file = write_test_file(s.directory);
  if (!file) {
    r.error = "the test file could not be written: " + file.error().describe();
    return r;
  }
  r.file = *file;
  const std::int64_t written_ms = now_epoch_ms();
  const auto give_up = std::chrono::steady_clock::now() + s.wait;
  std::optional<Threat> found;
  std::string error;
  if (real_time) {
    // Real-time protection reacts to the write itself: watch for the threat to be listed.
    while (!found) {
      found = listed_threat(s, r.file, cancel, error);
      if (found) break;
      if (std::chrono::steady_clock::now() >= give_up) {
        if (error.empty())
          error =
              "real-time protection did not report the file within " + std::to_string(s.wait.count()) + " s";
        break;
      }
      if (!sleep_unless_cancelled(std::chrono::milliseconds(250), cancel)) {
        error = "the agent stopped during the test";
        break;
      }
    }
  } else {
    auto scan = run_process({s.mdatp_path, "scan", "custom", "--path", r.file},
                            mdatp_process_options(s.wait, std::size_t{1} << 20, cancel));
    if (!scan) {
      error = "mdatp could not be started: " + scan.error().describe();
    } else if (!scan->succeeded()) {
      error = "mdatp scan custom: " + scan->describe();
    } else if (auto outcome = parse_scan_output(scan->out); !outcome) {
      error = "mdatp scan custom: unexpected output: " + outcome.error().describe();
    } else if (outcome->threats_detected == 0) {
      error = "the custom scan found no threat in the test file";
    } else {
      found = listed_threat(s, r.file, cancel, error);
      if (!found) {
        // Detected by the scan, but not (yet) in the list: the detection stands, the name is unknown.
        found = Threat{};
        error.clear();
      }
    }
  }
  if (found) {
    r.detected = true;
    r.threat = found->name;
    r.action = detection_action(found->status);
    std::int64_t at = found->detected_ms.value_or(now_epoch_ms());
    r.time_to_detect_ms = std::max<std::int64_t>(0, at - written_ms);
  } else {
    r.error = error;
  }
  // The test file never outlives the test (quarantine may have taken it already).
  if (::unlink(r.file.c_str()) != 0 && errno != ENOENT) {
    r.error += std::string(r.error.empty() ? "" : "; ") +
               "the test file could not be removed: " + std::strerror(errno);
  }
  return r;
}

DetectionTester::DetectionTester(boost::asio::io_context& ioc, DetectionSettings settings)
    : ioc_(ioc), settings_(std::move(settings)) {}

DetectionTester::~DetectionTester() { worker_.reset(); }

bool DetectionTester::start(bool real_time, const std::string& requested_by, Done done) {
  if (running_) return false;
  running_ = true;
  if (!worker_) worker_ = std::make_unique<BlockingWorker>();
  worker_->submit([this, alive = std::weak_ptr<bool>(alive_), real_time, requested_by, done = std::move(done),
                   cancel = worker_->cancel_flag()] {
    auto result = run_detection_test(settings_, real_time, requested_by, cancel);
    boost::asio::post(ioc_, [this, alive, done, result = std::move(result)] {
      if (alive.expired()) return;
      running_ = false;
      done(result);
    });
  });
  return true;
}

}  // namespace nexus_mde::agent
