// The fan-out engine itself (plugin/fanout) against real agents and a silent port: a kept-alive
// connection the agent closed is retried on a resumed TLS session, the deadline bounds the run
// and names the nodes it cut off, a long-poll gives its --concurrency slot to the next node, and a
// run spread over threads still reports every node once, in its place.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include <boost/asio/ssl/context.hpp>
#include <boost/json.hpp>

#include "common/net/tls_context.hpp"
#include "plugin/cluster/scan_conversation.hpp"
#include "plugin/cluster/snapshot_conversation.hpp"
#include "plugin/fanout/fan_out.hpp"
#include "plugin/fanout/session_cache.hpp"
#include "tests/support/agent_harness.hpp"

namespace nexus_mde::plugin {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using testing::AgentHarness;

std::shared_ptr<boost::asio::ssl::context> client_tls(const std::vector<const AgentHarness*>& trusted,
                                                      const testing::ScratchDir& dir) {
  std::string bundle;
  for (const auto* a : trusted) bundle += testing::read_file(a->ca().cert);
  testing::write_file(dir / "ca.pem", bundle);
  auto tls = net::make_client_tls_context({(dir / "ca.pem").string(), "", ""});
  if (!tls.context) throw std::runtime_error(tls.problems.front().message);
  return tls.context;
}

Target target_of(const AgentHarness& a) { return Target{a.node(), a.address(), 9448}; }

// GET /v1/status, `idle()` (until the agent closed the connection), then GET /v1/status again.
class IdleBetweenRequests final : public Conversation {
 public:
  explicit IdleBetweenRequests(std::function<void()> idle) : idle_(std::move(idle)) {}
  Request first() override { return Request{HttpMethod::kGet, "/v1/status", {}, {}, {}, {}, {}}; }
  Next next(const Response& response) override {
    statuses.push_back(response.status);
    if (statuses.size() == 2) return Next::done();
    idle_();
    return Next::ask(first());
  }
  std::vector<unsigned> statuses;

 private:
  std::function<void()> idle_;
};

TEST(FanOut, AConnectionTheAgentClosedIsRetriedOnAResumedTlsSession) {
  AgentHarness agent("idle");
  agent.config()["limits"] = json::object{{"ioTimeoutSeconds", 2}, {"idleSeconds", 1}};
  agent.start({"--log-target", "stderr"});
  testing::ScratchDir dir;
  auto tls = client_tls({&agent}, dir);
  // Idle until the agent closed the connection (idleSeconds 1): only the metrics request's own is open.
  IdleBetweenRequests conversation([&] {
    testing::wait_until([&] { return agent.metric("nexus_mde_agent_open_connections").value_or(2) <= 1; });
  });
  FanOutOptions options;
  options.bearer_token = agent.tokens().reader;
  auto run = fan_out({target_of(agent)}, {&conversation}, *tls, options);
  ASSERT_EQ(run.outcomes.size(), 1u);
  const auto& o = run.outcomes[0];
  EXPECT_EQ(o.state, ExchangeState::kOk) << o.reason;
  EXPECT_EQ(conversation.statuses, (std::vector<unsigned>{200, 200}));
  EXPECT_EQ(o.handshakes, 2u) << "the closed connection was replaced";
  EXPECT_EQ(o.resumed, 1u) << "and the second handshake resumed the first session";
}

// The sessions one command keeps let the next resume them (no certificate chain to verify), only
// under the same trust, from a file only its owner can read; a damaged file is an empty cache.
TEST(FanOut, TlsSessionsKeptByOneRunAreResumedByTheNextUnderTheSameTrust) {
  AgentHarness a("resume-a"), b("resume-b");
  a.start({"--log-target", "stderr"});
  b.start({"--log-target", "stderr"});
  testing::ScratchDir dir;
  auto tls = client_tls({&a, &b}, dir);
  std::string file = (dir / "cache" / "nexus-mde" / "tls-sessions").string();
  auto run_with = [&](const std::string& trust) {
    TlsSessionCache cache(file, trust);
    cache.load();
    SnapshotConversation ca("/v1/status", a.node()), cb("/v1/status", b.node());
    FanOutOptions options;
    options.bearer_token = a.tokens().reader;
    options.session_cache = &cache;
    auto run = fan_out({target_of(a), target_of(b)}, {&ca, &cb}, *tls, options);
    std::size_t resumed = 0;
    for (const auto& o : run.outcomes) {
      EXPECT_EQ(o.state, ExchangeState::kOk) << o.reason;
      resumed += o.resumed;
    }
    return resumed;
  };
  EXPECT_EQ(run_with("trust-1"), 0u) << "nothing to resume yet";
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0) << "the sessions were saved";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(run_with("trust-1"), 2u) << "both nodes resumed the sessions of the run before";
  EXPECT_EQ(run_with("trust-2"), 0u) << "another CA or client certificate never resumes them";

  testing::write_file(file, "not a session\ntrust-1 x 1 2 3\n" + std::string(100, '\xff') + "\n");
  EXPECT_EQ(run_with("trust-1"), 0u) << "a damaged file is an empty cache";
  EXPECT_EQ(run_with("trust-1"), 2u) << "and was replaced by good sessions";
}

// --watch: a run with a pool leaves each node's connection open, and the next run asks on it with
// no new handshake; one the agent closed in between is replaced.
TEST(FanOut, ConnectionsLeftOpenInAPoolServeTheNextRunWithoutAHandshake) {
  AgentHarness a("pool-a"), b("pool-b");
  b.config()["limits"] = json::object{{"ioTimeoutSeconds", 2}, {"idleSeconds", 1}};
  a.start({"--log-target", "stderr"});
  b.start({"--log-target", "stderr"});
  testing::ScratchDir dir;
  auto tls = client_tls({&a, &b}, dir);
  ConnectionPool pool;
  auto run = [&] {
    SnapshotConversation ca("/v1/status", a.node()), cb("/v1/status", b.node());
    FanOutOptions options;
    options.bearer_token = a.tokens().reader;
    options.connection_pool = &pool;
    options.threads = 4;  // a pool keeps the run on one thread whatever is asked
    auto result = fan_out({target_of(a), target_of(b)}, {&ca, &cb}, *tls, options);
    for (const auto& o : result.outcomes) EXPECT_EQ(o.state, ExchangeState::kOk) << o.reason;
    return result;
  };
  auto first = run();
  EXPECT_EQ(first.outcomes[0].handshakes + first.outcomes[1].handshakes, 2u);
  EXPECT_EQ(pool.size(), 2u) << "both connections left open";
  auto second = run();
  EXPECT_EQ(second.outcomes[0].handshakes, 0u) << "asked again on the open connection";
  EXPECT_EQ(second.outcomes[0].requests, 1u);
  // b closes an idle connection after 1 s: only the gauge's own scrape stays open.
  testing::wait_until([&] { return b.metric("nexus_mde_agent_open_connections").value_or(2) <= 1; });
  auto third = run();
  EXPECT_EQ(third.outcomes[0].handshakes, 0u);
  EXPECT_EQ(third.outcomes[1].handshakes, 1u) << "the connection b closed was replaced";
  EXPECT_EQ(pool.size(), 2u);
}

TEST(FanOut, TheDeadlineEndsEveryNodeItCutsOff) {
  testing::SilentPort a, b, c;
  testing::ScratchDir dir;
  AgentHarness unused("ca-only");
  auto tls = client_tls({&unused}, dir);
  std::vector<Target> nodes{{"a", a.address(), 9448}, {"b", b.address(), 9448}, {"c", c.address(), 9448}};
  SnapshotConversation ca("/v1/status", ""), cb("/v1/status", ""), cc("/v1/status", "");
  FanOutOptions options;
  options.concurrency = 1;  // one at a time: b and c never get their turn
  options.timeout = 5s;
  options.deadline = 700ms;
  std::vector<std::size_t> ended;
  options.on_done = [&](std::size_t i, const ExchangeOutcome&) { ended.push_back(i); };
  auto begun = std::chrono::steady_clock::now();
  auto run = fan_out(nodes, {&ca, &cb, &cc}, *tls, options);
  EXPECT_LT(std::chrono::steady_clock::now() - begun, 2s);
  EXPECT_TRUE(run.deadline_passed);
  EXPECT_EQ(ended.size(), 3u) << "every node ends exactly once";
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(run.outcomes[i].state, ExchangeState::kTimeout) << i;
    EXPECT_TRUE(run.outcomes[i].deadline_passed) << i;
  }
  EXPECT_EQ(run.outcomes[0].reason, "the overall deadline (0.7 s) passed");
  EXPECT_EQ(run.outcomes[2].reason, "the overall deadline (0.7 s) passed before this node's turn");
}

TEST(FanOut, ALongPollGivesItsSlotToTheNextNode) {
  AgentHarness scanning("scanning"), other("other");
  scanning.set_mdatp_state(json::object{{"scanDurationMs", 3000}});
  scanning.start({"--log-target", "stderr"});
  other.start({"--log-target", "stderr"});
  testing::ScratchDir dir;
  auto tls = client_tls({&scanning, &other}, dir);
  ScanConversation scan("quick", true, std::chrono::steady_clock::now() + 30s);
  SnapshotConversation status("/v1/status", "");
  FanOutOptions options;
  options.concurrency = 1;
  options.bearer_token = scanning.tokens().operator_;  // every harness accepts the same tokens
  std::vector<std::size_t> ended;
  options.on_done = [&](std::size_t i, const ExchangeOutcome&) { ended.push_back(i); };
  auto run = fan_out({target_of(scanning), target_of(other)}, {&scan, &status}, *tls, options);
  EXPECT_EQ(run.outcomes[0].state, ExchangeState::kOk) << run.outcomes[0].reason;
  EXPECT_EQ(run.outcomes[1].state, ExchangeState::kOk) << run.outcomes[1].reason;
  EXPECT_EQ(ended, (std::vector<std::size_t>{1, 0})) << "the status node did not wait for the scan";
  ASSERT_TRUE(scan.trigger());
  EXPECT_EQ(scan.trigger()->state, "succeeded");
  EXPECT_EQ(run.outcomes[0].handshakes, 1u) << "the trigger and its long-polls share one connection";
  EXPECT_GE(run.outcomes[0].requests, 2u);
}

TEST(FanOut, AThreadedRunReportsEveryNodeOnceAtItsInventoryPosition) {
  AgentHarness first("first"), second("second");
  first.start({"--log-target", "stderr"});
  second.start({"--log-target", "stderr"});
  testing::SilentPort silent;
  testing::ScratchDir dir;
  auto tls = client_tls({&first, &second}, dir);
  // Dealt round-robin to two engines: ok, timeout and refused nodes land on both.
  std::vector<Target> nodes{target_of(first),  {"silent", silent.address(), 9448},
                            target_of(second), {"refused", "127.0.0.1", 1},
                            target_of(first),  target_of(second)};
  std::vector<std::unique_ptr<SnapshotConversation>> conversations;
  std::vector<Conversation*> pointers;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    conversations.push_back(std::make_unique<SnapshotConversation>("/v1/status", ""));
    pointers.push_back(conversations.back().get());
  }
  FanOutOptions options;
  options.threads = 2;
  options.concurrency = 3;
  options.timeout = 1s;
  options.bearer_token = first.tokens().reader;
  std::vector<std::size_t> ended;
  std::set<std::thread::id> threads;
  options.on_done = [&](std::size_t i, const ExchangeOutcome&) {
    ended.push_back(i);  // under the fan-out's lock
    threads.insert(std::this_thread::get_id());
  };
  auto run = fan_out(nodes, pointers, *tls, options);
  ASSERT_EQ(run.outcomes.size(), nodes.size());
  std::sort(ended.begin(), ended.end());
  EXPECT_EQ(ended, (std::vector<std::size_t>{0, 1, 2, 3, 4, 5})) << "every node ends exactly once";
  EXPECT_EQ(threads.size(), 2u) << "the nodes were spread over two threads";
  EXPECT_FALSE(run.deadline_passed);
  for (std::size_t i : {0u, 2u, 4u, 5u}) {
    EXPECT_EQ(run.outcomes[i].state, ExchangeState::kOk) << i << ": " << run.outcomes[i].reason;
    ASSERT_TRUE(conversations[i]->snapshot()) << i;
    EXPECT_EQ(conversations[i]->snapshot()->node, nodes[i].name) << "node " << i << "'s answer is its own";
  }
  EXPECT_EQ(run.outcomes[1].state, ExchangeState::kTimeout) << run.outcomes[1].reason;
  EXPECT_EQ(run.outcomes[3].state, ExchangeState::kUnreachable) << run.outcomes[3].reason;
}

TEST(FanOut, ThreadsOnlyForClustersWorthThem) {
  EXPECT_EQ(fan_out_threads_for(0), 1u);
  EXPECT_EQ(fan_out_threads_for(31), 1u) << "a small cluster stays on one thread";
  std::size_t cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(fan_out_threads_for(1000), std::min<std::size_t>(cores, 4));
  EXPECT_LE(fan_out_threads_for(1000000), 4u);
}

}  // namespace
}  // namespace nexus_mde::plugin
