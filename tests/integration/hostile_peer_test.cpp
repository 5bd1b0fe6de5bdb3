// The agent against peers without credentials: connections that never send a ClientHello must not
// lock real clients out (the connection budgets of agent/server/http_server.hpp).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "tests/support/agent_harness.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;
using testing::AgentHarness;
using namespace std::chrono_literals;

// A TCP connection from `source` to address:9448: connected on return when `blocking`, else under
// way (a failure shows later, as the socket's error).
int connect_from(const std::string& source, const std::string& address, bool blocking) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (blocking ? 0 : SOCK_NONBLOCK), 0);
  sockaddr_in from{}, to{};
  from.sin_family = to.sin_family = AF_INET;
  to.sin_port = htons(9448);
  ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
  ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from);
  int connected = ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to);
  if (blocking) {
    EXPECT_EQ(connected, 0) << std::strerror(errno);
  }
  return fd;
}

// `count` TCP connections from `source` to address:9448 that never send a byte, each reopened as
// soon as the agent closes it, on a thread of its own until destroyed.
class SilentFlood {
 public:
  SilentFlood(std::string source, std::string address, std::size_t count)
      : source_(std::move(source)), address_(std::move(address)), fds_(count, -1) {
    for (auto& fd : fds_) fd = open_one();
    thread_ = std::thread([this] { run(); });
  }
  ~SilentFlood() {
    stop_ = true;
    thread_.join();
    for (int fd : fds_) ::close(fd);
  }
  std::uint64_t reopened() const { return reopened_; }

 private:
  int open_one() { return connect_from(source_, address_, false); }

  void run() {
    std::vector<pollfd> polled(fds_.size());
    while (!stop_) {
      for (std::size_t i = 0; i < fds_.size(); ++i) polled[i] = {fds_[i], POLLIN, 0};
      if (::poll(polled.data(), polled.size(), 50) <= 0) continue;
      for (std::size_t i = 0; i < fds_.size(); ++i) {
        if (!(polled[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char byte;
        if (::read(fds_[i], &byte, 1) > 0) continue;  // the agent never sends first; nothing to do
        ::close(fds_[i]);
        fds_[i] = open_one();
        ++reopened_;
      }
    }
  }

  std::string source_, address_;
  std::vector<int> fds_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> reopened_{0};
  std::thread thread_;
};

// 300 connections from one address that never start TLS, reopened as the agent closes them: a
// real client on another address is served every time (at least 99%; its requests are counted,
// not timed). Before the handshake budgets, 87% of such a client's requests were reset.
TEST(HostilePeer, ConnectionsThatNeverStartTlsDoNotLockOutRealClients) {
  AgentHarness agent("flooded");
  agent.start({"--log-target", "stderr"});
  SilentFlood flood("127.0.0.66", agent.address(), 300);
  // The flood is at full strength once the agent has refused it past its budgets.
  ASSERT_TRUE(testing::wait_until([&] { return flood.reopened() >= 300; })) << agent.output();

  const auto& reader = agent.tokens().reader;
  int served = 0, failed = 0;
  std::string failures;
  while (served + failed < 200) {
    auto r = agent.curl_with_token(reader, "/v1/status", {"--max-time", "20"});
    if (r.http_status == 200) {
      ++served;
    } else {
      ++failed;
      failures += "exit " + std::to_string(r.exit_code) + " " + r.error + "\n";
    }
  }
  std::cout << "real client: " << served << " of " << served + failed
            << " served while the flood was refused or "
            << "closed " << flood.reopened() << " times\n";
  EXPECT_GE(served * 100, 99 * (served + failed)) << failures;
  EXPECT_GE(agent.metric("nexus_mde_agent_refused_connections_total").value_or(0), 1);
  // The refusals are in the log, but not one entry each.
  auto log = agent.output();
  std::size_t entries = 0;
  for (std::size_t at = 0; (at = log.find("too many connections from this address", at)) != std::string::npos;
       ++at)
    ++entries;
  EXPECT_GE(entries, 1u) << log;
  EXPECT_LT(entries, 20u) << "a refusal is logged at most every 10 s";
}

// Past the handshake budget, the oldest connection still in its handshake makes room for a
// newcomer; past max connections, connections that finished TLS are never closed for one.
TEST(HostilePeer, TheOldestConnectionStillInItsHandshakeMakesRoom) {
  AgentHarness agent("budget");
  agent.config()["limits"] =
      json::object{{"maxHandshakes", 4}, {"maxHandshakesPerAddress", 4}, {"handshakeTimeoutSeconds", 60}};
  agent.start({"--log-target", "stderr"});
  auto silent = [&](const char* source) { return connect_from(source, agent.address(), true); };
  auto closed_by_agent = [](int fd) {
    pollfd p{fd, POLLIN, 0};
    char byte;
    return ::poll(&p, 1, 0) == 1 && ::read(fd, &byte, 1) <= 0;
  };
  // Every connection below is made (the kernel's accept queue holds it) before the next, and the
  // agent accepts them in that order. No other connection may come meanwhile: it would evict too.
  std::vector<int> fds;
  for (int i = 0; i < 4; ++i) fds.push_back(silent("127.0.0.67"));
  // A fifth from the same address is refused; one from another address evicts the oldest.
  int fifth = silent("127.0.0.67");
  EXPECT_TRUE(testing::wait_until([&] { return closed_by_agent(fifth); })) << agent.output();
  int other = silent("127.0.0.68");
  EXPECT_TRUE(testing::wait_until([&] { return closed_by_agent(fds[0]); })) << agent.output();
  EXPECT_FALSE(closed_by_agent(fds[1]));
  // The metrics request evicted the next oldest (fds[1]) to be served.
  EXPECT_EQ(agent.metric("nexus_mde_agent_evicted_handshakes_total"), 2);
  EXPECT_TRUE(testing::wait_until([&] { return closed_by_agent(fds[1]); }));
  EXPECT_FALSE(closed_by_agent(fds[2]));
  EXPECT_EQ(agent.metric("nexus_mde_agent_refused_connections_total"), 1);
  for (int fd : fds) ::close(fd);
  ::close(fifth);
  ::close(other);
}

}  // namespace
}  // namespace nexus_mde
