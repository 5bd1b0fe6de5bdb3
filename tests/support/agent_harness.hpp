// A real nexus-mde-agent for tests: its own loopback address (127.x.y.z), a throwaway PKI, the
// mdatp double in a state directory, a config written from the defaults below plus a test's
// changes, and curl or openssl as independent clients. Stops (SIGKILL) whatever it started.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "tests/support/fixtures.hpp"
#include "tests/support/readiness.hpp"
#include "tests/support/test_pki.hpp"

namespace nexus_mde::testing {

// A unique 127.x.y.z address for this process and call, so tests can run in parallel on port 9448.
std::string unique_loopback_address();

// A child process that runs in the background until stopped; killed (with its group) and reaped
// on destruction.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& environment,
                    const std::filesystem::path& output_file);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // The exit status (exit code, or 128 + signal) once it ends within `timeout`, else nullopt.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// A TCP port on its own 127.x.y.z:9448 that accepts connections (the kernel's backlog does) but
// never reads or answers: a node whose agent hangs before TLS.
class SilentPort {
 public:
  SilentPort();
  ~SilentPort();
  SilentPort(const SilentPort&) = delete;
  SilentPort& operator=(const SilentPort&) = delete;
  const std::string& address() const { return address_; }

 private:
  std::string address_;
  int fd_ = -1;
};

struct CurlResult {
  int exit_code = -1;  // curl's own: 0, 35 (handshake), 56 (receive), 28 (timeout)...
  int http_status = 0;
  std::string body;
  std::string error;  // curl's stderr
};

struct TokenSet {
  std::string reader = "reader-token-0123456789";
  std::string operator_ = "operator-token-9876543210";
};

class AgentHarness {
 public:
  explicit AgentHarness(std::string node = "node-under-test");
  ~AgentHarness();

  // The config written by start(); edit before starting.
  boost::json::object& config() { return config_; }
  // The mdatp double's state.json (see tests/fakes/mdatp/README.md).
  void set_mdatp_state(const boost::json::object& state) const;

  // Writes the config and starts the agent (--log-target as given) with a NOTIFY_SOCKET of the
  // harness's, then waits until it sends READY=1. `environment` is added to PATH.
  void start(const std::vector<std::string>& extra_args = {},
             const std::vector<std::string>& environment = {}, bool wait_until_listening = true);
  void write_config() const;
  BackgroundProcess& process() { return *process_; }
  NotifySocket& notifications() { return *notify_; }  // what the running agent sent systemd
  void stop_hard();                                   // SIGKILL, reaped

  // curl https://<node>:9448<path> resolved to the agent's address and verified against the CA.
  CurlResult curl(const std::string& path, const std::vector<std::string>& args = {}) const;
  CurlResult curl_as_operator(const std::string& path, const std::vector<std::string>& args = {}) const;
  CurlResult curl_with_token(const std::string& token, const std::string& path,
                             const std::vector<std::string>& args = {}) const;
  // The value of one series of GET /metrics
  // ("nexus_mde_agent_mdatp_calls_total{command=\"health\",outcome=\"ok\"}").
  std::optional<double> metric(const std::string& series) const;
  // The agent's journal entries (journalctl -o json, NODE=<node>), or its stderr lines when logging there.
  std::vector<boost::json::object> journal_entries() const;
  std::string output() const;  // the agent's stdout+stderr so far

  const std::string& node() const { return node_; }
  const std::string& address() const { return address_; }
  const ScratchDir& dir() const { return dir_; }
  const PemPair& ca() const { return ca_; }
  const PemPair& other_ca() const { return other_ca_; }
  const PemPair& server() const { return server_; }
  const PemPair& operator_client() const { return operator_client_; }
  const PemPair& reader_client() const { return reader_client_; }
  const PemPair& unknown_client() const { return unknown_client_; }
  const PemPair& expired_client() const { return expired_client_; }
  const PemPair& foreign_client() const { return foreign_client_; }  // signed by other_ca
  const TestPki& pki() const { return pki_; }
  const TokenSet& tokens() const { return tokens_; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }
  std::filesystem::path config_path() const { return dir_ / "agent.json"; }

 private:
  std::string node_;
  std::string address_;
  ScratchDir dir_;
  TestPki pki_;
  PemPair ca_, other_ca_, server_, operator_client_, reader_client_, unknown_client_, expired_client_,
      foreign_client_;
  TokenSet tokens_;
  boost::json::object config_;
  std::unique_ptr<NotifySocket> notify_;  // declared first: the agent is stopped before its socket goes
  std::optional<BackgroundProcess> process_;
};

// A journal that entries sent to /run/systemd/journal/socket can be read back from with
// journalctl (checked with a probe entry). Starts /lib/systemd/systemd-journald when none
// answers, or when the one that does is not readable from here; `why` says what failed.
struct JournalCheck {
  bool ok = false;
  std::string why;
};
JournalCheck ensure_journald();

std::string sha256_hex(const std::string& text);

}  // namespace nexus_mde::testing
