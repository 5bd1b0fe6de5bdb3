// nexus-mde-agent serving over HTTPS, end to end: the real binary on its own 127.x.y.z address,
// the mdatp double, curl and openssl s_client as clients, journald reading back the audit.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "tests/support/agent_harness.hpp"

namespace nexus_mde {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::AgentHarness;
using testing::CurlResult;

json::object body_json(const CurlResult& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << r.body << " (curl: " << r.error << ")";
    return {};
  }
  return v.get_object();
}

std::string error_code_of(const CurlResult& r) {
  auto o = body_json(r);
  auto* e = o.if_contains("error");
  return e && e->is_object() && e->as_object().contains("code")
             ? std::string(e->as_object().at("code").as_string())
             : "";
}

// Journal entries appear a moment after sd_journal_send returns: poll for the one we want.
template <typename Pred>
std::optional<json::object> wait_for_entry(const AgentHarness& agent, Pred pred) {
  std::optional<json::object> found;
  testing::wait_until([&] {
    for (auto& e : agent.journal_entries()) {
      if (pred(e)) found = e;
    }
    return found.has_value();
  });
  return found;
}

std::string field(const json::object& e, const char* name) {
  auto* v = e.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::size_t count_entries(pid_t pid, const char* what) {
  std::size_t n = 0;
  std::string dir = "/proc/" + std::to_string(pid) + "/" + what;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

// Processes whose parent is `pid` (from /proc/*/stat), zombies included.
std::size_t count_children(pid_t pid) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::ifstream stat(e.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::string state;
    pid_t parent = 0;
    rest >> state >> parent;
    n += parent == pid;
  }
  return n;
}

class AgentServer : public ::testing::Test {
 protected:
  AgentHarness agent_;
};

TEST_F(AgentServer, ServesTheSnapshotToEachKindOfCredential) {
  agent_.start({"--log-target", "stderr"});
  auto by_cert = agent_.curl_as_operator("/v1/status");
  ASSERT_EQ(by_cert.http_status, 200) << by_cert.body << by_cert.error;
  auto status = body_json(by_cert);
  EXPECT_EQ(status.at("node").as_string(), agent_.node());
  EXPECT_EQ(status.at("health").as_object().at("healthy").as_bool(), true);
  EXPECT_EQ(status.at("enforcement").as_object().at("level").as_string(), "RealTime");
  EXPECT_EQ(status.at("stale").as_bool(), false);

  auto by_san = agent_.curl("/v1/threats", {"--cert", agent_.reader_client().cert.string(), "--key",
                                            agent_.reader_client().key.string()});
  ASSERT_EQ(by_san.http_status, 200) << by_san.body;
  EXPECT_TRUE(body_json(by_san).at("threats").is_array());

  auto by_token = agent_.curl_with_token(agent_.tokens().reader, "/v1/scans");
  ASSERT_EQ(by_token.http_status, 200) << by_token.body;
  auto scans = body_json(by_token);
  EXPECT_TRUE(scans.at("scans").is_array());
  EXPECT_TRUE(scans.at("triggered").is_array());

  // TLS 1.1 and older are refused; 1.2 and 1.3 are served.
  EXPECT_NE(agent_.curl("/v1/status", {"--tls-max", "1.1"}).exit_code, 0);
  EXPECT_EQ(agent_.curl_with_token(agent_.tokens().reader, "/v1/status", {"--tls-max", "1.2"}).http_status,
            200);
  EXPECT_EQ(agent_.curl_with_token(agent_.tokens().reader, "/v1/status", {"--tlsv1.3"}).http_status, 200);
}

TEST_F(AgentServer, RejectsEveryBadCredentialAndAuditsItInTheJournal) {
  auto journal = testing::ensure_journald();
  if (!journal.ok) {
    if (::geteuid() == 0) FAIL() << "no readable journal: " << journal.why;
    GTEST_SKIP() << journal.why;
  }
  agent_.start();  // logs to the journal
  const auto& tok = agent_.tokens();
  auto cert_args = [](const testing::PemPair& p) {
    return std::vector<std::string>{"--cert", p.cert.string(), "--key", p.key.string()};
  };

  auto none = agent_.curl("/v1/status");
  EXPECT_EQ(none.http_status, 401);
  EXPECT_EQ(error_code_of(none), "unauthorized");

  auto wrong_token = agent_.curl_with_token("not-the-token", "/v1/status");
  EXPECT_EQ(wrong_token.http_status, 401);

  auto unknown = agent_.curl("/v1/status", cert_args(agent_.unknown_client()));
  EXPECT_EQ(unknown.http_status, 403);
  EXPECT_NE(unknown.body.find("somebody-else"), std::string::npos) << unknown.body;

  auto reader_post =
      agent_.curl_with_token(tok.reader, "/v1/scans", {"-X", "POST", "-d", R"({"type":"quick"})"});
  EXPECT_EQ(reader_post.http_status, 403);
  EXPECT_EQ(error_code_of(reader_post), "forbidden");

  // A certificate from another CA, or an expired one, fails the handshake itself.
  auto foreign = agent_.curl("/v1/status", cert_args(agent_.foreign_client()));
  EXPECT_EQ(foreign.http_status, 0);
  EXPECT_NE(foreign.exit_code, 0);
  auto expired = agent_.curl("/v1/status", cert_args(agent_.expired_client()));
  EXPECT_EQ(expired.http_status, 0);
  EXPECT_NE(expired.exit_code, 0);

  // Each is an audit entry with the identity, the peer, the route and the outcome.
  auto audited = [&](const char* outcome, const char* identity, const char* status) {
    auto e = wait_for_entry(agent_, [&](const json::object& entry) {
      return field(entry, "MESSAGE_ID") == "6b3d3f0c3a8e4f2f9d6c1f1e0b5a7c10" &&
             field(entry, "OUTCOME") == outcome && field(entry, "IDENTITY") == identity &&
             field(entry, "STATUS") == status;
    });
    EXPECT_TRUE(e.has_value()) << "no audit entry for " << outcome << " " << identity
                               << "; the agent printed:\n"
                               << agent_.output();
    if (e) {
      EXPECT_EQ(field(*e, "PRIORITY"), "4");
      EXPECT_EQ(field(*e, "PEER").rfind("127.0.0.1:", 0), 0u) << field(*e, "PEER");
    }
    return e;
  };
  auto e = audited("no-credentials", "-", "401");
  if (e) {
    EXPECT_EQ(field(*e, "ROUTE"), "/v1/status");
  }
  audited("bad-token", "-", "401");
  audited("unknown-identity", "somebody-else", "403");
  e = audited("wrong-role", "token:prometheus", "403");
  if (e) {
    EXPECT_EQ(field(*e, "ROUTE"), "/v1/scans");
  }
  e = audited("bad-certificate", "-", "handshake");
  if (e) {
    EXPECT_NE(field(*e, "MESSAGE").find("certificate verify failed"), std::string::npos)
        << field(*e, "MESSAGE");
  }
  EXPECT_EQ(agent_.metric("nexus_mde_agent_auth_failures_total{reason=\"bad-certificate\"}"), 2);
}

TEST_F(AgentServer, RepeatedFailuresFromOnePeerAreSlowedDown) {
  agent_.start({"--log-target", "stderr"});
  // From a source address of its own, so nothing else in this test is throttled.
  std::vector<std::string> from{"--interface", "127.0.0.77"};
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(agent_.curl_with_token("wrong", "/v1/status", from).http_status, 401);
  auto throttled = agent_.curl_with_token(agent_.tokens().reader, "/v1/status", from);
  EXPECT_EQ(throttled.http_status, 429);
  EXPECT_EQ(error_code_of(throttled), "too_many_requests");
  auto headers = agent_.curl_with_token("wrong", "/v1/status", {"--interface", "127.0.0.77", "-D", "-"});
  EXPECT_NE(headers.body.find("Retry-After: "), std::string::npos) << headers.body;
  // Other peers are unaffected.
  EXPECT_EQ(
      agent_.curl_with_token(agent_.tokens().reader, "/v1/status", {"--interface", "127.0.0.78"}).http_status,
      200);
}

TEST_F(AgentServer, RoutesAnswerWithHttpStatusesAndJsonErrors) {
  agent_.start({"--log-target", "stderr"});
  const auto& op = agent_.tokens().operator_;
  auto missing = agent_.curl_with_token(op, "/v2/nothing");
  EXPECT_EQ(missing.http_status, 404);
  EXPECT_EQ(error_code_of(missing), "not_found");
  auto wrong_method = agent_.curl_with_token(op, "/v1/status", {"-X", "DELETE", "-D", "-"});
  EXPECT_EQ(wrong_method.http_status, 405);
  EXPECT_NE(wrong_method.body.find("Allow: GET"), std::string::npos);
  auto bad_type = agent_.curl_with_token(op, "/v1/scans", {"-X", "POST", "-d", R"({"type":"deep"})"});
  EXPECT_EQ(bad_type.http_status, 400);
  EXPECT_NE(bad_type.body.find("quick"), std::string::npos);
  auto bad_json = agent_.curl_with_token(op, "/v1/scans", {"-X", "POST", "-d", "{"});
  EXPECT_EQ(bad_json.http_status, 400);
  EXPECT_EQ(agent_.curl_with_token(op, "/v1/scans/0123456789abcdef0123456789abcdef").http_status, 404);
  EXPECT_EQ(agent_.curl_with_token(op, "/v1/scans/../../etc/passwd", {"--path-as-is"}).http_status, 404);

  // /v1/status waits for the first collection; /metrics does not.
  ASSERT_EQ(agent_.curl_with_token(agent_.tokens().reader, "/v1/status").http_status, 200);
  auto metrics = agent_.curl_with_token(agent_.tokens().reader, "/metrics", {"-D", "-"});
  EXPECT_EQ(metrics.http_status, 200);
  EXPECT_NE(metrics.body.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.body.find("nexus_mde_agent_http_requests_total{route=\"/v1/scans\",status=\"400\"} 2"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("nexus_mde_agent_mdatp_calls_total{command=\"health\",outcome=\"ok\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("nexus_mde_agent_mde_healthy 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("nexus_mde_agent_mde_definitions_updated_timestamp_seconds "),
            std::string::npos);
  EXPECT_NE(metrics.body.find("nexus_mde_agent_mde_enforcement_level_info{level="), std::string::npos);

  // Prometheus's own linter finds nothing to say (Debian's prometheus package, .ci/install-deps).
  auto plain = agent_.curl_with_token(agent_.tokens().reader, "/metrics");
  testing::write_file(agent_.dir() / "metrics.txt", plain.body);
  ProcessOptions o;
  o.timeout = 60s;
  auto lint = run_process(
      {"/bin/sh", "-c", "promtool check metrics < " + (agent_.dir() / "metrics.txt").string()}, o);
  ASSERT_TRUE(lint.ok());
  EXPECT_EQ(lint->exit_code, 0) << "promtool: " << lint->out << lint->err;
  EXPECT_EQ(lint->out + lint->err, "") << "promtool check metrics has remarks";
}

TEST_F(AgentServer, ScanIsTriggeredWaitedForRefusedTwiceAndSurvivesSigkill) {
  agent_.set_mdatp_state(json::object{{"scanDurationMs", 1500}});
  agent_.start({"--log-target", "stderr"});
  auto first = agent_.curl_as_operator("/v1/scans", {"-X", "POST", "-d", R"({"type":"quick"})", "-D", "-"});
  ASSERT_EQ(first.http_status, 202) << first.body;
  auto body_start = first.body.find('{');
  auto scan = json::parse(first.body.substr(body_start)).as_object();
  std::string id(scan.at("id").as_string());
  EXPECT_EQ(scan.at("state").as_string(), "running");
  EXPECT_EQ(scan.at("requestedBy").as_string(), "nexus-mde-operator");
  EXPECT_NE(first.body.find("Location: /v1/scans/" + id), std::string::npos);

  auto second = agent_.curl_as_operator("/v1/scans", {"-X", "POST", "-d", R"({"type":"full"})"});
  EXPECT_EQ(second.http_status, 409);
  EXPECT_EQ(error_code_of(second), "scan_running");

  // The long-poll returns when the scan ends, not when the wait runs out.
  auto started = std::chrono::steady_clock::now();
  auto done = agent_.curl_with_token(agent_.tokens().reader, "/v1/scans/" + id + "?wait=30");
  auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(done.http_status, 200) << done.body;
  auto finished = body_json(done);
  EXPECT_EQ(finished.at("state").as_string(), "succeeded") << done.body;
  EXPECT_EQ(finished.at("filesScanned").as_int64(), 1750);
  EXPECT_LT(waited, 20s);
  // mdatp's own scan list now has it too.
  auto scans = body_json(agent_.curl_with_token(agent_.tokens().reader, "/v1/scans"));
  EXPECT_EQ(scans.at("scans").as_array().size(), 1u);
  EXPECT_EQ(scans.at("triggered").as_array().size(), 1u);

  // A scan running when the agent is killed is reported as interrupted after the restart.
  agent_.set_mdatp_state(json::object{{"scanDurationMs", 60000}});
  auto killed = agent_.curl_as_operator("/v1/scans", {"-X", "POST", "-d", R"({"type":"full"})"});
  ASSERT_EQ(killed.http_status, 202);
  std::string killed_id(body_json(killed).at("id").as_string());
  agent_.stop_hard();
  agent_.start({"--log-target", "stderr"});
  auto after = body_json(agent_.curl_with_token(agent_.tokens().reader, "/v1/scans/" + killed_id));
  EXPECT_EQ(after.at("state").as_string(), "interrupted");
  auto first_after = body_json(agent_.curl_with_token(agent_.tokens().reader, "/v1/scans/" + id));
  EXPECT_EQ(first_after.at("state").as_string(), "succeeded");
  // And a new scan may start.
  agent_.set_mdatp_state(json::object{{"scanDurationMs", 100}});
  EXPECT_EQ(agent_.curl_as_operator("/v1/scans", {"-X", "POST"}).http_status, 202);
}

TEST_F(AgentServer, FailingMdatpKeepsTheLastGoodSnapshotMarkedStale) {
  auto& mdatp = agent_.config()["mdatp"].as_object();
  mdatp["timeoutSeconds"] = 1;
  mdatp["maxAgeSeconds"] = 0;
  agent_.start({"--log-target", "stderr"});
  const auto& reader = agent_.tokens().reader;
  auto good = body_json(agent_.curl_with_token(reader, "/v1/status"));
  ASSERT_EQ(good.at("stale").as_bool(), false);

  struct Fault {
    const char* name;
    json::object faults;
    const char* error_text;
  };
  std::vector<Fault> faults{
      {"crash", json::object{{"crashSignal", 11}, {"commands", json::array{"health"}}},
       "killed by signal 11"},
      {"garbage", json::object{{"garbage", true}, {"commands", json::array{"health"}}}, "unexpected output"},
      {"hang", json::object{{"hang", true}, {"commands", json::array{"health"}}}, "timed out"},
  };
  for (const auto& f : faults) {
    agent_.set_mdatp_state(json::object{{"faults", f.faults}});
    std::this_thread::sleep_for(20ms);
    CurlResult r;
    json::object status;
    // The first request after the fault may still get the previous collection (max age 0 starts a
    // new one; a hang answers after wait_for_refresh with what there is).
    testing::wait_until([&] {
      r = agent_.curl_with_token(reader, "/v1/status");
      if (r.http_status != 200) return true;  // reported below
      status = body_json(r);
      return status.at("stale").as_bool() && !status.at("errors").as_array().empty();
    });
    ASSERT_EQ(r.http_status, 200) << f.name << ": " << r.body;
    EXPECT_TRUE(status.at("stale").as_bool()) << f.name << ": " << r.body;
    EXPECT_EQ(status.at("collectedAt"), good.at("collectedAt")) << f.name;
    EXPECT_TRUE(status.at("health").is_object()) << f.name << ": the last good health is kept";
    EXPECT_NE(r.body.find(f.error_text), std::string::npos) << f.name << ": " << r.body;
  }
  // Missing binary, and a daemon that is not running (a real state, not a failure).
  agent_.set_mdatp_state(json::object{{"daemonRunning", false}});
  json::object status;
  testing::wait_until([&] {
    status = body_json(agent_.curl_with_token(reader, "/v1/status"));
    return !status.at("stale").as_bool();
  });
  EXPECT_FALSE(status.at("stale").as_bool());
  EXPECT_EQ(status.at("enforcement").as_object().at("level").as_string(), "Disabled");
  fs::remove(agent_.dir() / "fake" / "mdatp");
  testing::wait_until([&] {
    status = body_json(agent_.curl_with_token(reader, "/v1/status"));
    return status.at("stale").as_bool();
  });
  EXPECT_TRUE(status.at("stale").as_bool());
  EXPECT_NE(json::serialize(status.at("errors")).find("cannot start"), std::string::npos)
      << json::serialize(status);
}

TEST_F(AgentServer, AThousandMdatpHangsInARowLeaveDescriptorsAndThreadsFlat) {
  auto& mdatp = agent_.config()["mdatp"].as_object();
  mdatp["timeoutSeconds"] = 0.02;  // 20 ms: a thousand hangs in seconds, not hours
  mdatp["maxAgeSeconds"] = 0;
  agent_.start({"--log-target", "stderr"});
  const auto& reader = agent_.tokens().reader;
  pid_t pid = agent_.process().pid();
  // Counted while no collection runs (a running one holds its two pipes for a moment).
  auto settled_counts = [&] {
    agent_.set_mdatp_state({});
    std::this_thread::sleep_for(500ms);  // a hung collection times out
    EXPECT_EQ(agent_.curl_with_token(reader, "/v1/status").http_status, 200);
    std::this_thread::sleep_for(500ms);
    return std::make_pair(count_entries(pid, "fd"), count_entries(pid, "task"));
  };
  auto before = settled_counts();
  const std::string timeouts_series =
      "nexus_mde_agent_mdatp_calls_total{command=\"health\",outcome=\"timeout\"}";
  agent_.set_mdatp_state(
      json::object{{"faults", json::object{{"hang", true}, {"commands", json::array{"health"}}}}});
  // Every request finds the snapshot overdue and is answered at once with the last one; the
  // collection it starts hangs in `mdatp health` until the timeout kills its process group.
  // Requests go 100 at a time over one keep-alive connection (each waits for the collection it
  // started, a few tens of ms) until a thousand hangs are counted.
  std::string urls;
  for (int i = 0; i < 100; ++i)
    urls += "url = \"https://" + agent_.node() + ":9448/v1/status\"\noutput = \"/dev/null\"\n";
  testing::write_file(agent_.dir() / "urls.curl", urls);
  auto until = std::chrono::steady_clock::now() + 240s;
  double hangs = 0;
  while (hangs < 1000 && std::chrono::steady_clock::now() < until) {
    auto r = agent_.curl_with_token(reader, "/v1/status",
                                    {"--max-time", "60", "-K", (agent_.dir() / "urls.curl").string()});
    ASSERT_EQ(r.exit_code, 0) << r.error;
    hangs = agent_.metric(timeouts_series).value_or(0);
  }
  EXPECT_GE(hangs, 1000) << "hangs counted before the time ran out";
  auto after = settled_counts();
  EXPECT_EQ(after.first, before.first) << "descriptors";
  EXPECT_EQ(after.second, before.second) << "threads";
  // Every hang was a process killed and reaped: no zombie children left.
  EXPECT_EQ(count_children(pid), 0) << "children of the agent left";
}

TEST_F(AgentServer, FiveHundredConcurrentRequestsCauseOneMdatpHealthCall) {
  auto& mdatp = agent_.config()["mdatp"].as_object();
  mdatp["maxAgeSeconds"] = 1;
  // 300 connections at once from one address: past the budgets for connections in their
  // handshake, which this test is not about.
  agent_.config()["limits"] = json::object{{"ioTimeoutSeconds", 5},
                                           {"maxConnections", 1024},
                                           {"maxHandshakes", 1024},
                                           {"maxHandshakesPerAddress", 1024}};
  agent_.start({"--log-target", "stderr"});
  const auto& reader = agent_.tokens().reader;
  ASSERT_EQ(agent_.curl_with_token(reader, "/v1/status").http_status, 200);
  // Each collection now takes a while, so the 500 requests overlap it.
  agent_.set_mdatp_state(
      json::object{{"faults", json::object{{"latencyMs", 1500}, {"commands", json::array{"health"}}}}});
  auto before =
      agent_.metric("nexus_mde_agent_mdatp_calls_total{command=\"health\",outcome=\"ok\"}").value_or(-1);
  std::this_thread::sleep_for(1100ms);  // the snapshot is now older than max age

  std::string urls;
  for (int i = 0; i < 500; ++i)
    urls += "url = \"https://" + agent_.node() + ":9448/v1/status\"\noutput = \"/dev/null\"\n";
  testing::write_file(agent_.dir() / "urls.curl", urls);
  auto r = agent_.curl_with_token(reader, "/v1/status",
                                  {"--parallel", "--parallel-immediate", "--parallel-max", "300", "-K",
                                   (agent_.dir() / "urls.curl").string()});
  EXPECT_EQ(r.exit_code, 0) << r.error;
  auto after =
      agent_.metric("nexus_mde_agent_mdatp_calls_total{command=\"health\",outcome=\"ok\"}").value_or(-1);
  EXPECT_LE(after - before, 1) << "health calls before " << before << ", after " << after;
  EXPECT_EQ(agent_.metric("nexus_mde_agent_http_requests_total{route=\"/v1/status\",status=\"200\"}"), 502);
}

TEST_F(AgentServer, LimitsOnHeadersBodiesSlowClientsAndConnections) {
  agent_.config()["limits"] = json::object{{"headerBytes", 2048},
                                           {"bodyBytes", 256},
                                           {"ioTimeoutSeconds", 2},
                                           {"idleSeconds", 60},
                                           {"maxConnections", 3}};
  agent_.start({"--log-target", "stderr"});
  const auto& op = agent_.tokens().operator_;
  auto big_header = agent_.curl_with_token(op, "/v1/status", {"-H", "X-Padding: " + std::string(4000, 'a')});
  EXPECT_EQ(big_header.http_status, 431);
  auto big_body = agent_.curl_with_token(op, "/v1/scans", {"-X", "POST", "-d", std::string(1000, ' ')});
  EXPECT_EQ(big_body.http_status, 413);

  // A client trickling its request one byte every 500 ms is cut off at the I/O timeout (2 s).
  auto script = agent_.dir() / "trickle.sh";
  testing::write_file(
      script,
      "for c in G E T ' ' / v 1 / s t a t u s ' ' H T T P / 1 . 1; do printf '%s' \"$c\"; sleep 0.5; done\n");
  auto started = std::chrono::steady_clock::now();
  ProcessOptions o;
  o.timeout = 30s;
  o.environment = {"PATH=/usr/bin:/bin"};
  auto trickle = run_process({"/bin/sh", "-c",
                              "sh " + script.string() + " | openssl s_client -quiet -connect " +
                                  agent_.address() + ":9448 -servername " + agent_.node() + " -CAfile " +
                                  agent_.ca().cert.string() + " 2>/dev/null; echo closed"},
                             o);
  ASSERT_TRUE(trickle.ok());
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 9s) << "the slow client was not cut off (the request would take 11 s)";
  EXPECT_EQ(trickle->out.find("HTTP/1.1 200"), std::string::npos);

  // With 3 connections open and idle (for as long as the test needs: idleSeconds 60), a fourth is
  // closed at once.
  std::vector<std::unique_ptr<testing::BackgroundProcess>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{"/bin/sh", "-c",
                                 "sleep 60 | openssl s_client -connect " + agent_.address() +
                                     ":9448 -servername " + agent_.node() + " -CAfile " +
                                     agent_.ca().cert.string()},
        std::vector<std::string>{"PATH=/usr/bin:/bin"},
        agent_.dir() / ("idle" + std::to_string(i) + ".log")));
  }
  // Past TLS (s_client prints its verification once the handshake is done): a newcomer would
  // close a connection still in its handshake to make room.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        testing::wait_for_text(agent_.dir() / ("idle" + std::to_string(i) + ".log"), "Verify return code"));
  }
  CurlResult refused;
  testing::wait_until([&] {
    return (refused = agent_.curl_with_token(op, "/v1/status", {"--max-time", "5"})).http_status == 0;
  });
  EXPECT_EQ(refused.http_status, 0);
  EXPECT_NE(refused.exit_code, 0);
  idle.clear();  // killed: their connections close
  EXPECT_TRUE(
      testing::wait_until([&] { return agent_.curl_with_token(op, "/v1/status").http_status == 200; }));
  EXPECT_GE(agent_.metric("nexus_mde_agent_refused_connections_total").value_or(0), 1);
}

TEST_F(AgentServer, IdleKeepAliveConnectionsAreClosed) {
  agent_.config()["limits"] = json::object{{"ioTimeoutSeconds", 2}, {"idleSeconds", 1}};
  agent_.start({"--log-target", "stderr"});
  // One request, then the connection idles: the agent closes it after idleSeconds. The client
  // side prints when the connection closed (its stdin stays open for 8 s more).
  auto started_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  ProcessOptions o;
  o.timeout = 30s;
  o.environment = {"PATH=/usr/bin:/bin"};
  std::string request = "GET /v1/status HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer " +
                        agent_.tokens().reader + "\\r\\n\\r\\n";
  auto r = run_process({"/bin/sh", "-c",
                        "(printf '" + request + "'; sleep 8) | { openssl s_client -quiet -connect " +
                            agent_.address() + ":9448 -servername " + agent_.node() + " -CAfile " +
                            agent_.ca().cert.string() + " 2>/dev/null; echo closed-at $(date +%s%N); }"},
                       o);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->out.find("HTTP/1.1 200"), std::string::npos) << r->out;
  auto at = r->out.find("closed-at ");
  ASSERT_NE(at, std::string::npos) << r->out;
  auto took = std::chrono::nanoseconds(std::stoll(r->out.substr(at + 10))) - started_ns;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 7s) << "the idle connection was kept open";
}

TEST_F(AgentServer, SighupRotatesTheCertificateAndRefusesABadConfig) {
  agent_.start({"--log-target", "stderr"});
  auto serial_seen = [&] {
    ProcessOptions o;
    o.timeout = 20s;
    o.environment = {"PATH=/usr/bin:/bin"};
    auto r = run_process({"/bin/sh", "-c",
                          "openssl s_client -connect " + agent_.address() + ":9448 -servername " +
                              agent_.node() + " </dev/null 2>/dev/null | openssl x509 -noout -serial"},
                         o);
    return r.ok() ? r->out : std::string();
  };
  std::string before = serial_seen();
  ASSERT_NE(before.find("serial="), std::string::npos);
  // Keep a connection open across the reload: it must survive (the listener is not closed).
  auto renewed = agent_.pki().issue(agent_.ca(), "agent-renewed",
                                    {agent_.node(), {agent_.node()}, {agent_.address()}, -1, 60, true});
  fs::copy_file(renewed.cert, agent_.server().cert, fs::copy_options::overwrite_existing);
  fs::copy_file(renewed.key, agent_.server().key, fs::copy_options::overwrite_existing);
  agent_.process().signal(SIGHUP);
  std::string after;
  testing::wait_until([&] { return (after = serial_seen()) != before; });
  EXPECT_NE(after, before);
  EXPECT_EQ(agent_.curl_with_token(agent_.tokens().reader, "/v1/status").http_status, 200);

  // A broken config is refused and the running one kept.
  testing::write_file(agent_.config_path(), "{\"listen\": 5");
  agent_.process().signal(SIGHUP);
  testing::wait_until([&] { return agent_.output().find("reload refused") != std::string::npos; });
  EXPECT_NE(agent_.output().find("configuration reload refused, the running configuration is kept"),
            std::string::npos)
      << agent_.output();
  EXPECT_EQ(agent_.curl_with_token(agent_.tokens().reader, "/v1/status").http_status, 200);
  EXPECT_EQ(serial_seen(), after);
}

TEST_F(AgentServer, NotifiesSystemdAndDrainsOnSigterm) {
  // The harness's NOTIFY_SOCKET, like systemd's; start() returned once READY=1 came.
  agent_.set_mdatp_state(json::object{{"scanDurationMs", 2000}});
  agent_.start({"--log-target", "stderr"}, {"WATCHDOG_USEC=400000"});
  auto& notify = agent_.notifications();
  EXPECT_NE(notify.messages().find("STATUS=serving on 1 address"), std::string::npos) << notify.messages();
  EXPECT_TRUE(notify.receive_until([&](const std::string&) { return notify.count("WATCHDOG=1") >= 3; }))
      << "the watchdog is pinged every 200 ms: " << notify.messages();

  // SIGTERM while a long-poll is in flight: it is answered, then the agent exits 0.
  auto scan = agent_.curl_as_operator("/v1/scans", {"-X", "POST"});
  ASSERT_EQ(scan.http_status, 202);
  std::string id(body_json(scan).at("id").as_string());
  CurlResult poll;
  auto trace = agent_.dir() / "poll.trace";
  std::thread poller([&] {
    poll = agent_.curl_with_token(agent_.tokens().reader, "/v1/scans/" + id + "?wait=60",
                                  {"--trace-ascii", trace.string()});
  });
  // Once curl has sent the request, and a moment for the agent to read it off the socket.
  EXPECT_TRUE(testing::wait_for_text(trace, "=> Send header"));
  std::this_thread::sleep_for(300ms);
  agent_.process().signal(SIGTERM);
  auto code = agent_.process().wait_exit(testing::ready_deadline());
  poller.join();
  EXPECT_EQ(code, 0) << agent_.output();
  EXPECT_EQ(poll.http_status, 200) << poll.error;
  EXPECT_TRUE(notify.receive_until([](const std::string& m) {
    return m.find("STOPPING=1") != std::string::npos;
  })) << notify.messages();
  // The scan it cut short is saved as interrupted.
  auto saved = json::parse(testing::read_file(agent_.state_dir() / "scans.json"));
  EXPECT_EQ(saved.at("scans").as_array().back().at("state").as_string(), "interrupted");
}

}  // namespace
}  // namespace nexus_mde

namespace nexus_mde {
namespace {

// RFC 9112 §3.2: an HTTP/1.1 request without a Host header, or any request with two, is a 400.
// RFC 9110 §9.3.2: HEAD is GET without the body.
TEST_F(AgentServer, HostHeadersAndHeadFollowTheHttpRfcs) {
  agent_.start({"--log-target", "stderr"});
  auto raw = [&](const std::string& head_lines) {  // one request written raw through TLS: the answer
    ProcessOptions o;
    o.timeout = 30s;
    o.environment = {"PATH=/usr/bin:/bin"};
    o.stdin_data =
        head_lines + "Authorization: Bearer " + agent_.tokens().reader + "\r\nConnection: close\r\n\r\n";
    auto r = run_process({"/usr/bin/openssl", "s_client", "-quiet", "-connect", agent_.address() + ":9448",
                          "-servername", agent_.node(), "-CAfile", agent_.ca().cert.string()},
                         o);
    return r.ok() ? r->out : std::string();
  };
  EXPECT_EQ(raw("GET /v1/status HTTP/1.1\r\nHost: a\r\n").rfind("HTTP/1.1 200", 0), 0u);
  auto none = raw("GET /v1/status HTTP/1.1\r\n");
  EXPECT_EQ(none.rfind("HTTP/1.1 400", 0), 0u) << none;
  EXPECT_NE(none.find("Host header"), std::string::npos) << none;
  EXPECT_EQ(raw("GET /v1/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n").rfind("HTTP/1.1 400", 0), 0u);
  EXPECT_EQ(raw("GET /v1/status HTTP/1.0\r\n").rfind("HTTP/1.1 200", 0), 0u) << "HTTP/1.0 needs no Host";

  auto get = raw("GET /v1/status HTTP/1.1\r\nHost: a\r\n");
  auto head = raw("HEAD /v1/status HTTP/1.1\r\nHost: a\r\n");
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  auto length = [](const std::string& answer) {
    auto at = answer.find("Content-Length: ");
    return at == std::string::npos ? std::string("none")
                                   : answer.substr(at + 16, answer.find('\r', at) - at - 16);
  };
  EXPECT_EQ(length(head), length(get)) << head;
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "") << "HEAD has no body";
  auto post_only = agent_.curl_with_token(agent_.tokens().operator_, "/v1/status", {"-X", "DELETE", "-i"});
  EXPECT_NE(post_only.body.find("Allow: GET, HEAD"), std::string::npos) << post_only.body;
}

}  // namespace
}  // namespace nexus_mde
