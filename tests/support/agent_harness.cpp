#include "tests/support/agent_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "common/sys/text.hpp"
#include "tests/support/readiness.hpp"

extern char** environ;

namespace nexus_mde::testing {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const char* kFakeMdatp = NEXUS_MDE_BINARY_DIR "/tests/fakes/fake-mdatp";
const char* kAgent = NEXUS_MDE_BINARY_DIR "/agent/nexus-mde-agent";

ProcessResult run(const std::vector<std::string>& argv,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  ProcessOptions o;
  o.timeout = timeout;
  o.environment = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
  auto r = run_process(argv, o);
  if (!r) throw std::runtime_error("cannot run " + argv[0] + ": " + r.error().describe());
  return std::move(*r);
}

}  // namespace

std::string sha256_hex(const std::string& text) {
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return to_hex(digest, len);
}

std::string unique_loopback_address() {
  static std::atomic<unsigned> counter{0};
  unsigned pid = static_cast<unsigned>(::getpid());
  unsigned n = counter++;
  return "127." + std::to_string(100 + pid % 100) + "." + std::to_string(1 + (pid / 100) % 250) + "." +
         std::to_string(2 + n % 250);
}

SilentPort::SilentPort() : address_(unique_loopback_address()) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(9448);
  ::inet_pton(AF_INET, address_.c_str(), &a.sin_addr);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0) {
    throw std::runtime_error("cannot listen on " + address_ + ":9448");
  }
}

SilentPort::~SilentPort() { ::close(fd_); }

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& environment,
                                     const fs::path& output_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char*> args, env;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : environment) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  int rc = posix_spawn(&pid_, argv[0].c_str(), &actions, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

BackgroundProcess::~BackgroundProcess() {
  if (status_) return;
  ::kill(-pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
}

void BackgroundProcess::signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> BackgroundProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      ::kill(-pid_, SIGKILL);  // anything it left in its group
      status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

AgentHarness::AgentHarness(std::string node)
    : node_(std::move(node)), address_(unique_loopback_address()), pki_(dir_.path()) {
  node_ += "-" + address_.substr(4);  // unique per test, so journal entries can be told apart
  ca_ = pki_.make_ca("ca");
  other_ca_ = pki_.make_ca("other-ca");
  server_ = pki_.issue(ca_, "agent", {node_, {node_}, {address_}, -1, 30, true});
  operator_client_ = pki_.issue(ca_, "operator", {"nexus-mde-operator", {}, {}, -1, 30, false});
  reader_client_ = pki_.issue(ca_, "reader", {"monitoring", {"reader.example"}, {}, -1, 30, false});
  unknown_client_ = pki_.issue(ca_, "unknown", {"somebody-else", {}, {}, -1, 30, false});
  expired_client_ = pki_.issue(ca_, "expired", {"nexus-mde-operator", {}, {}, -30, -1, false});
  foreign_client_ = pki_.issue(other_ca_, "foreign", {"nexus-mde-operator", {}, {}, -1, 30, false});

  fs::create_directories(dir_ / "fake" / "fake-mdatp-state");
  fs::create_directories(state_dir());
  fs::create_symlink(kFakeMdatp, dir_ / "fake" / "mdatp");
  set_mdatp_state({});

  config_ = json::object{
      {"node", node_},
      {"listen", json::array{address_ + ":9448"}},
      {"tls",
       json::object{
           {"cert", server_.cert.string()}, {"key", server_.key.string()}, {"clientCa", ca_.cert.string()}}},
      {"clients", json::array{json::object{{"identity", "nexus-mde-operator"}, {"role", "operator"}},
                              json::object{{"identity", "reader.example"}, {"role", "reader"}}}},
      {"tokens",
       json::array{
           json::object{{"name", "prometheus"}, {"sha256", sha256_hex(tokens_.reader)}, {"role", "reader"}},
           json::object{
               {"name", "runbook"}, {"sha256", sha256_hex(tokens_.operator_)}, {"role", "operator"}}}},
      {"mdatp", json::object{{"path", (dir_ / "fake" / "mdatp").string()}, {"timeoutSeconds", 5}}},
      {"limits", json::object{{"ioTimeoutSeconds", 5}}},
      {"stateDir", state_dir().string()}};
}

AgentHarness::~AgentHarness() = default;

void AgentHarness::set_mdatp_state(const json::object& state) const {
  write_file(dir_ / "fake" / "fake-mdatp-state" / "state.json", json::serialize(state));
}

void AgentHarness::write_config() const { write_file(config_path(), json::serialize(config_)); }

void AgentHarness::start(const std::vector<std::string>& extra_args,
                         const std::vector<std::string>& environment, bool wait_until_listening) {
  write_config();
  std::vector<std::string> argv{kAgent, "--config", config_path().string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  env.insert(env.end(), environment.begin(), environment.end());
  notify_ = std::make_unique<NotifySocket>();
  env.push_back(notify_->environment());
  process_.emplace(argv, env, dir_ / "agent.log");
  if (!wait_until_listening) return;
  // Ready when the agent says so: READY=1 comes once it listens on every address.
  bool exited = false;
  bool ready = notify_->receive_until(
      [](const std::string& m) { return m.find("READY=1") != std::string::npos; },
      [&] { return exited = process_->wait_exit(std::chrono::milliseconds(0)).has_value(); });
  if (ready) return;
  throw std::runtime_error(
      std::string("the agent ") +
      (exited ? "exited before it was ready" : "sent no READY=1 within the readiness deadline") +
      "; its output:\n" + output());
}

void AgentHarness::stop_hard() {
  if (!process_) return;
  process_->signal(SIGKILL);
  process_->wait_exit(std::chrono::seconds(10));
}

CurlResult AgentHarness::curl(const std::string& path, const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"/usr/bin/curl",
                                "-sS",
                                "--max-time",
                                "20",
                                "--cacert",
                                ca_.cert.string(),
                                "--resolve",
                                node_ + ":9448:" + address_,
                                "-o",
                                "-",
                                "-w",
                                "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("https://" + node_ + ":9448" + path);
  auto r = run(argv, std::chrono::seconds(30));
  CurlResult out;
  out.exit_code = r.exit_code;
  out.error = r.err;
  auto nl = r.out.rfind('\n');
  if (nl != std::string::npos) {
    out.body = r.out.substr(0, nl);
    out.http_status = std::atoi(r.out.c_str() + nl + 1);
  }
  return out;
}

CurlResult AgentHarness::curl_as_operator(const std::string& path,
                                          const std::vector<std::string>& args) const {
  std::vector<std::string> all{"--cert", operator_client_.cert.string(), "--key",
                               operator_client_.key.string()};
  all.insert(all.end(), args.begin(), args.end());
  return curl(path, all);
}

CurlResult AgentHarness::curl_with_token(const std::string& token, const std::string& path,
                                         const std::vector<std::string>& args) const {
  std::vector<std::string> all{"-H", "Authorization: Bearer " + token};
  all.insert(all.end(), args.begin(), args.end());
  return curl(path, all);
}

std::optional<double> AgentHarness::metric(const std::string& series) const {
  auto r = curl_with_token(tokens_.reader, "/metrics");
  std::istringstream lines(r.body);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::atof(line.c_str() + series.size() + 1);
    }
  }
  return std::nullopt;
}

std::vector<json::object> AgentHarness::journal_entries() const {
  auto r = run({"/usr/bin/journalctl", "--merge", "--no-pager", "-o", "json", "NODE=" + node_},
               std::chrono::seconds(20));
  std::vector<json::object> out;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    if (!ec && v.is_object()) out.push_back(v.get_object());
  }
  return out;
}

std::string AgentHarness::output() const {
  std::error_code ec;
  if (!fs::exists(dir_ / "agent.log", ec)) return {};
  return read_file(dir_ / "agent.log");
}

namespace {

// Sends an entry through the journal socket (logger --journald) and polls journalctl for it.
bool journal_round_trip(std::string& why) {
  std::string token = "probe-" + std::to_string(::getpid()) + "-" + std::to_string(::time(nullptr));
  ProcessOptions o;
  o.timeout = std::chrono::seconds(10);
  o.environment = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
  o.stdin_data = "MESSAGE=nexus-mde test journal probe\nNEXUS_MDE_PROBE=" + token + "\n";
  auto sent = run_process({"/usr/bin/logger", "--journald"}, o);
  if (!sent || !sent->succeeded()) {
    why = "logger --journald: " + (sent ? sent->describe() : sent.error().describe());
    return false;
  }
  for (int i = 0; i < 100; ++i) {
    auto r = run({"/usr/bin/journalctl", "--merge", "--no-pager", "-o", "cat", "NEXUS_MDE_PROBE=" + token});
    if (r.out.find("journal probe") != std::string::npos) return true;
    why = "an entry sent to /run/systemd/journal/socket did not come back from journalctl --merge" +
          (r.err.empty() ? std::string() : " (" + r.err.substr(0, 200) + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// True when something is bound to the journal socket (a stale socket file refuses connect()).
bool journal_socket_listening() {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, "/run/systemd/journal/socket", sizeof(address.sun_path) - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

bool start_journald(std::string& why) {
  const fs::path log = fs::temp_directory_path() / "nexus-mde-test-journald.log";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    int null = ::open("/dev/null", O_RDWR);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(null, 0);
    ::dup2(out >= 0 ? out : null, 1);
    ::dup2(out >= 0 ? out : null, 2);
    // Outlives the test on purpose: other tests running in parallel may be writing to it.
    ::execl("/lib/systemd/systemd-journald", "systemd-journald", nullptr);
    ::_exit(127);
  }
  if (pid < 0) {
    why = "fork failed";
    return false;
  }
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      why = "systemd-journald exited at once (its output: " + log.string() + ")";
      return false;
    }
    if (journal_socket_listening()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  why = "systemd-journald did not listen on /run/systemd/journal/socket in 5 s";
  return false;
}

}  // namespace

JournalCheck ensure_journald() {
  // Once per test process: the answer does not change while it runs.
  static const JournalCheck checked = [] {
    JournalCheck c;
    if (journal_socket_listening() && journal_round_trip(c.why)) {
      c.ok = true;
      return c;
    }
    // None listens, or the one that does writes where journalctl here cannot read (a journald
    // outside this container): start our own, which takes the socket over.
    if (::geteuid() != 0 || !fs::exists("/lib/systemd/systemd-journald")) {
      c.why = "no readable journal and starting systemd-journald needs root" +
              (c.why.empty() ? "" : ": " + c.why);
      return c;
    }
    c.ok = start_journald(c.why) && journal_round_trip(c.why);
    return c;
  }();
  return checked;
}

}  // namespace nexus_mde::testing
