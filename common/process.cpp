#include "common/process.hpp"

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

#include "common/text.hpp"

namespace nexus_mde {

namespace {

using Clock = std::chrono::steady_clock;

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
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

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  if (argv.empty() || argv[0].empty()) return make_error("no program to run");
  Fd in_r, in_w, out_r, out_w, err_r, err_w;
  if (!make_pipe(in_r, in_w) || !make_pipe(out_r, out_w) || !make_pipe(err_r, err_w)) {
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
  posix_spawnattr_init(&attr);
  // Own process group, so a timeout can kill everything the child started; default signal
  // dispositions and an empty mask, whatever the parent has blocked or ignored.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto args = c_strings(argv);
  auto env = c_strings(options.environment);
  pid_t pid = -1;
  auto started = Clock::now();
  int rc = argv[0].find('/') != std::string::npos
               ? posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), env.data())
               : posix_spawnp(&pid, argv[0].c_str(), &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  if (rc != 0) return make_error(std::string("cannot start: ") + std::strerror(rc), argv[0]);

  ProcessResult result;
  const auto deadline = started + options.timeout;
  std::string pending_in = options.stdin_data.value_or("");
  std::size_t in_off = 0;
  if (pending_in.empty()) in_w.reset();
  if (in_w.fd >= 0) ::fcntl(in_w.fd, F_SETFL, O_NONBLOCK);

  bool exited = false;
  int status = 0;
  auto kill_group = [&] { ::kill(-pid, SIGKILL); };
  // Readable when the child exits (Linux 5.3+), so its end is seen at once rather than at the
  // next 50 ms tick once its output is drained. Without it, the ticks alone.
  Fd exit_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  std::optional<Clock::time_point> exited_at;
  std::array<char, 65536> buf{};

  // Until the child has exited and its output is drained, or the deadline: a child that closes
  // its output and keeps running is still waited for (and killed) only up to the deadline.
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      kill_group();
      break;
    }
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
      result.cancelled = true;
      kill_group();
      break;
    }
    if (!exited && ::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      exited_at = now;
    }
    bool drained = out_r.fd < 0 && err_r.fd < 0;
    if (exited && drained) break;
    // A grandchild may keep the pipes open after the child exits: give it a moment, then stop.
    if (exited && now - *exited_at > std::chrono::milliseconds(200)) break;

    std::array<pollfd, 4> fds{};  // stdout, stderr, stdin, the exit pidfd
    nfds_t n = 0;
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    if (in_w.fd >= 0) fds[n++] = {in_w.fd, POLLOUT, 0};
    if (!exited && exit_fd.fd >= 0) fds[n++] = {exit_fd.fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    int wait_ms = static_cast<int>(std::min<long long>(left, exited ? 20 : 50));
    int ready = ::poll(n ? fds.data() : nullptr, n, std::max(wait_ms, 1));
    if (ready < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0 || fds[i].fd == exit_fd.fd) continue;  // exit: waitpid on the next turn
      if (fds[i].fd == in_w.fd) {
        ssize_t w = ::write(in_w.fd, pending_in.data() + in_off, pending_in.size() - in_off);
        if (w > 0) in_off += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) in_off = pending_in.size();
        if (in_off >= pending_in.size()) in_w.reset();
        continue;
      }
      Fd& src = fds[i].fd == out_r.fd ? out_r : err_r;
      std::string& dst = fds[i].fd == out_r.fd ? result.out : result.err;
      ssize_t r = ::read(src.fd, buf.data(), buf.size());
      if (r > 0) {
        std::size_t room = options.output_cap - std::min(options.output_cap, dst.size());
        dst.append(buf.data(), std::min<std::size_t>(static_cast<std::size_t>(r), room));
        if (static_cast<std::size_t>(r) > room) {
          result.output_capped = true;
          kill_group();
          out_r.reset();
          err_r.reset();
          in_w.reset();
          break;
        }
      } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
        src.reset();
      }
    }
  }
  // Whatever the child left behind in its group goes with it.
  kill_group();
  if (!exited) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  if (result.timed_out || result.output_capped || result.cancelled) result.signal = 0;
  return result;
}

}  // namespace nexus_mde
