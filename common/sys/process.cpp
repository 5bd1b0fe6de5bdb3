#include "common/sys/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/sys/text.hpp"

namespace nexus_mde {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd(other.fd) { other.fd = -1; }
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd = other.fd;
      other.fd = -1;
    }
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool make_pipe(Fd& read_end, Fd& write_end) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return false;
  read_end.fd = p[0];
  write_end.fd = p[1];
  return true;
}

std::vector<char*> c_strings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ProcessResult::describe() const {
  std::string text;
  if (timed_out) {
    text = "timed out after " + std::to_string(duration.count()) + " ms";
  } else if (output_capped) {
    text = "printed more output than allowed";
  } else if (cancelled) {
    text = "stopped: the agent is shutting down";
  } else if (signal != 0) {
    text = "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  } else {
    text = "exit " + std::to_string(exit_code);
  }
  std::string_view e = trim(err);
  if (!e.empty()) text += ": " + excerpt(e.substr(0, e.find('\n')), 200);
  return text;
}

namespace {

// A started child: its process group, the parent's ends of its three pipes, and when it began.
struct Child {
  pid_t pid = -1;
  Fd in_w, out_r, err_r;
  Fd exit_fd;  // readable when the child exits (pidfd, Linux 5.3+); -1 without it
  Clock::time_point started;
};

// Spawn attributes: the child's own process group, so a timeout can kill everything it started;
// default signal dispositions and an empty mask, whatever the parent has blocked or ignored.
void init_spawn_attributes(posix_spawnattr_t& attr) {
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

Result<Child> spawn(const std::vector<std::string>& argv, const ProcessOptions& options) {
  Fd in_r, out_w, err_w;
  Child child;
  if (!make_pipe(in_r, child.in_w) || !make_pipe(child.out_r, out_w) || !make_pipe(child.err_r, err_w)) {
    return make_error(std::string("cannot create pipes: ") + std::strerror(errno), argv[0]);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_w.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, STDERR_FILENO);
  // Nothing else the parent holds (a daemon's listening socket, its clients' connections) may
  // leak into the child, whether or not it was opened with O_CLOEXEC.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  if (options.working_directory) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory->c_str());
  }
  posix_spawnattr_t attr;
  init_spawn_attributes(attr);
  auto args = c_strings(argv);
  auto env = c_strings(options.environment);
  child.started = Clock::now();
  int rc = argv[0].find('/') != std::string::npos
               ? posix_spawn(&child.pid, argv[0].c_str(), &actions, &attr, args.data(), env.data())
               : posix_spawnp(&child.pid, argv[0].c_str(), &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return make_error(std::string("cannot start: ") + std::strerror(rc), argv[0]);
  child.exit_fd.fd = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
  return child;
}

// Watches a child to its end: feeds its stdin, collects its output up to the cap, and kills its
// process group at the deadline, on cancel or past the cap.
class Supervisor {
 public:
  Supervisor(Child& child, const ProcessOptions& options, ProcessResult& result)
      : c_(child), o_(options), result_(result), deadline_(child.started + options.timeout) {
    pending_in_ = options.stdin_data.value_or("");
    if (pending_in_.empty()) c_.in_w.reset();
    if (c_.in_w.fd >= 0) ::fcntl(c_.in_w.fd, F_SETFL, O_NONBLOCK);
  }

  // Until the child has exited and its output is drained, or the deadline: a child that closes
  // its output and keeps running is still waited for (and killed) only up to the deadline.
  void run() {
    for (;;) {
      auto now = Clock::now();
      if (stop_requested(now)) return;
      if (!exited_ && ::waitpid(c_.pid, &status_, WNOHANG) == c_.pid) {
        exited_ = true;
        exited_at_ = now;
      }
      bool drained = c_.out_r.fd < 0 && c_.err_r.fd < 0;
      if (exited_ && drained) return;
      // A grandchild may keep the pipes open after the child exits: give it a moment, then stop.
      if (exited_ && now - exited_at_ > std::chrono::milliseconds(200)) return;
      if (!pump(now)) return;
    }
  }

  // Whatever the child left behind in its group goes with it; then the child is reaped.
  void reap() {
    kill_group();
    if (!exited_) {
      while (::waitpid(c_.pid, &status_, 0) < 0 && errno == EINTR) {
      }
    }
    result_.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - c_.started);
    if (WIFEXITED(status_)) {
      result_.exit_code = WEXITSTATUS(status_);
    } else if (WIFSIGNALED(status_)) {
      result_.signal = WTERMSIG(status_);
    }
    if (result_.timed_out || result_.output_capped || result_.cancelled) result_.signal = 0;
  }

 private:
  void kill_group() { ::kill(-c_.pid, SIGKILL); }

  bool stop_requested(Clock::time_point now) {
    if (now >= deadline_) {
      result_.timed_out = true;
    } else if (o_.cancel && o_.cancel->load(std::memory_order_relaxed)) {
      result_.cancelled = true;
    } else {
      return false;
    }
    kill_group();
    return true;
  }

  // One wait on the pipes (and the exit pidfd), then the I/O they are ready for; false to stop.
  bool pump(Clock::time_point now) {
    std::array<pollfd, 4> fds{};  // stdout, stderr, stdin, the exit pidfd
    nfds_t n = 0;
    if (c_.out_r.fd >= 0) fds[n++] = {c_.out_r.fd, POLLIN, 0};
    if (c_.err_r.fd >= 0) fds[n++] = {c_.err_r.fd, POLLIN, 0};
    if (c_.in_w.fd >= 0) fds[n++] = {c_.in_w.fd, POLLOUT, 0};
    if (!exited_ && c_.exit_fd.fd >= 0) fds[n++] = {c_.exit_fd.fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - now).count();
    int wait_ms = static_cast<int>(std::min<long long>(left, exited_ ? 20 : 50));
    int ready = ::poll(n ? fds.data() : nullptr, n, std::max(wait_ms, 1));
    if (ready < 0 && errno != EINTR) return false;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0 || fds[i].fd == c_.exit_fd.fd) continue;  // exit: waitpid on the next turn
      if (fds[i].fd == c_.in_w.fd) {
        feed_stdin();
      } else if (!collect(fds[i].fd == c_.out_r.fd ? c_.out_r : c_.err_r,
                          fds[i].fd == c_.out_r.fd ? result_.out : result_.err)) {
        break;
      }
    }
    return true;
  }

  void feed_stdin() {
    ssize_t w = ::write(c_.in_w.fd, pending_in_.data() + in_off_, pending_in_.size() - in_off_);
    if (w > 0) in_off_ += static_cast<std::size_t>(w);
    if (w < 0 && errno != EAGAIN && errno != EINTR) in_off_ = pending_in_.size();
    if (in_off_ >= pending_in_.size()) c_.in_w.reset();
  }

  // Reads what `src` has into `dst`; past the cap the group is killed and the pipes closed
  // (false: this turn's remaining I/O is moot).
  bool collect(Fd& src, std::string& dst) {
    ssize_t r = ::read(src.fd, buf_.data(), buf_.size());
    if (r > 0) {
      std::size_t room = o_.output_cap - std::min(o_.output_cap, dst.size());
      dst.append(buf_.data(), std::min<std::size_t>(static_cast<std::size_t>(r), room));
      if (static_cast<std::size_t>(r) > room) {
        result_.output_capped = true;
        kill_group();
        c_.out_r.reset();
        c_.err_r.reset();
        c_.in_w.reset();
        return false;
      }
    } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
      src.reset();
    }
    return true;
  }

  Child& c_;
  const ProcessOptions& o_;
  ProcessResult& result_;
  const Clock::time_point deadline_;
  std::string pending_in_;
  std::size_t in_off_ = 0;
  bool exited_ = false;
  int status_ = 0;
  Clock::time_point exited_at_;
  std::array<char, 65536> buf_{};
};

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty()) return make_error("no program to run");
  auto child = spawn(argv, options);
  if (!child) return child.error();
  ProcessResult result;
  Supervisor supervisor(*child, options, result);
  supervisor.run();
  supervisor.reap();
  return result;
}

}  // namespace nexus_mde
