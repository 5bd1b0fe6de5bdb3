// nexus-mde against a cluster of real agents (nexus-mde-agent + the mdatp double) on 127.x.y.z:
// one state per node, the documented exit codes, scan --wait end to end, inventory and
// credential errors, and the live progress line under tmux.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "common/mdatp/eicar.hpp"
#include "common/model/detection_result.hpp"
#include "common/sys/process.hpp"
#include "tests/support/agent_harness.hpp"
#include "tests/support/cli_runner.hpp"
#include "tests/support/terminal_checks.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::AgentHarness;
using namespace std::chrono_literals;

ProcessResult run_cli(const std::vector<std::string>& args, std::chrono::seconds timeout = 60s,
                      std::vector<std::string> environment = {}) {
  return testing::run_nexus_mde(args, timeout, std::move(environment));
}
using testing::nodes_by_name;
const char* kCli = NEXUS_MDE_CLI;

std::string state_of(const json::object& node) { return std::string(node.at("state").as_string()); }

class ClusterCli : public ::testing::Test {
 protected:
  // An agent named `name` (its harness appends its address), started unless told otherwise.
  AgentHarness& add_agent(const std::string& name) {
    agents_.push_back(std::make_unique<AgentHarness>(name));
    return *agents_.back();
  }

  static std::string node_arg(const AgentHarness& a) { return a.node() + "=" + a.address() + ":9448"; }

  // One CA file trusting the given agents' CAs, and the operator token every harness accepts.
  std::vector<std::string> credentials(const std::vector<const AgentHarness*>& trusted) {
    std::string bundle;
    for (const auto* a : trusted) bundle += testing::read_file(a->ca().cert);
    testing::write_file(scratch_ / "ca-bundle.pem", bundle);
    testing::write_file(scratch_ / "token", agents_.front()->tokens().operator_ + "\n");
    return {"--ca-file", (scratch_ / "ca-bundle.pem").string(), "--token-file",
            (scratch_ / "token").string()};
  }

  testing::ScratchDir scratch_;
  std::vector<std::unique_ptr<AgentHarness>> agents_;
};

TEST_F(ClusterCli, MixedClusterGivesEachNodeItsStateAndTheRightExitCode) {
  auto& healthy = add_agent("healthy");
  auto& unhealthy = add_agent("unhealthy");
  auto& threats = add_agent("threats");
  auto& stale = add_agent("stale");
  auto& stopped = add_agent("stopped");
  auto& wrong_ca = add_agent("wrong-ca");
  auto& wrong_token = add_agent("wrong-token");
  testing::SilentPort silent;

  unhealthy.set_mdatp_state(
      json::object{{"healthy", false}, {"healthIssues", json::array{"no definitions"}}});
  json::object eicar{{"tracking_id", "3a5e0c"},
                     {"name", "Virus:DOS/EICAR_Test_File"},
                     {"type", "virus"},
                     {"path", "/tmp/eicar.com"},
                     {"detection_time", 1697204600000}};
  threats.set_mdatp_state(json::object{
      {"scans", json::array{json::object{
                    {"type", "quick"},
                    {"state", "succeeded"},
                    {"startTime", 1697204573732},
                    {"endTime", 1697204632487},
                    {"filesScanned", 1750},
                    {"threats", json::array{json::object{
                                    {"threat", eicar},
                                    {"history", json::array{json::object{{"key", 1697204600000},
                                                                         {"value", "quarantined"}}}}}}}}}},
      {"quarantine", json::array{json::object{{"threat", eicar}}}}});
  auto& stale_mdatp = stale.config()["mdatp"].as_object();
  stale_mdatp["timeoutSeconds"] = 1;
  stale_mdatp["maxAgeSeconds"] = 0;
  wrong_token.config()["tokens"] = json::array{
      json::object{{"name", "other"}, {"sha256", testing::sha256_hex("x")}, {"role", "operator"}}};
  for (auto* a : {&healthy, &unhealthy, &threats, &stale, &wrong_ca, &wrong_token})
    a->start({"--log-target", "stderr"});
  // The stale node answered once, then its mdatp crashes on every health call.
  ASSERT_EQ(stale.curl_with_token(stale.tokens().reader, "/v1/status").http_status, 200);
  stale.set_mdatp_state(
      json::object{{"faults", json::object{{"crashSignal", 11}, {"commands", json::array{"health"}}}}});

  auto creds = credentials({&healthy, &unhealthy, &threats, &stale, &stopped, &wrong_token});
  std::vector<std::string> args{"status", "-o", "json", "--timeout", "2", "--deadline", "20"};
  args.insert(args.end(), creds.begin(), creds.end());
  for (auto* a : {&healthy, &unhealthy, &threats, &stale, &stopped, &wrong_ca, &wrong_token}) {
    args.push_back("--node");
    args.push_back(node_arg(*a));
  }
  args.push_back("--node");
  args.push_back("silent=" + silent.address());

  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // findings outrank the unreached nodes
  auto nodes = nodes_by_name(r.out);
  ASSERT_EQ(nodes.size(), 8u) << r.out;
  auto expect = [&](const AgentHarness& a, const char* state) -> json::object {
    if (!nodes.count(a.node())) {
      ADD_FAILURE() << "no entry for " << a.node();
      return json::object{{"findings", json::array{}}, {"snapshot", nullptr}, {"reason", nullptr}};
    }
    EXPECT_EQ(state_of(nodes[a.node()]), state) << a.node() << ": " << json::serialize(nodes[a.node()]);
    return nodes[a.node()];
  };
  auto h = expect(healthy, "ok");
  EXPECT_TRUE(h.at("findings").as_array().empty());
  EXPECT_EQ(h.at("snapshot").at("health").at("healthy"), true);
  auto u = expect(unhealthy, "ok");
  EXPECT_EQ(u.at("findings").as_array().front(), "unhealthy");
  auto t = expect(threats, "ok");
  EXPECT_EQ(t.at("snapshot").at("threats").as_array().size(), 1u);
  EXPECT_NE(json::serialize(t.at("findings")).find("1 threat"), std::string::npos);
  auto s = expect(stale, "ok");
  EXPECT_EQ(s.at("snapshot").at("stale"), true);
  EXPECT_NE(json::serialize(s.at("findings")).find("stale"), std::string::npos);
  expect(stopped, "unreachable");
  auto ca = expect(wrong_ca, "tls-error");
  EXPECT_NE(json::serialize(ca.at("reason")).find("certificate verify failed"), std::string::npos);
  auto tok = expect(wrong_token, "auth-error");
  EXPECT_NE(json::serialize(tok.at("reason")).find("401"), std::string::npos);
  ASSERT_TRUE(nodes.count("silent"));
  EXPECT_EQ(state_of(nodes["silent"]), "timeout");
  EXPECT_LT(nodes["silent"].at("latencyMs").as_int64(), 5000) << "bounded by its own --timeout";
  EXPECT_EQ(json::parse(r.out).at("summary").at("exitCode"), 1);

  // Without the nodes that have findings: 2 (incomplete). Only healthy nodes: 0.
  std::vector<std::string> partial{"status", "--node", node_arg(healthy), "--node", node_arg(stopped)};
  partial.insert(partial.end(), creds.begin(), creds.end());
  auto incomplete = run_cli(partial);
  EXPECT_EQ(incomplete.exit_code, 2) << incomplete.out << incomplete.err;
  EXPECT_NE(incomplete.out.find("1 ok, 1 unreachable"), std::string::npos) << incomplete.out;
  std::vector<std::string> clean{"status", "--node", node_arg(healthy)};
  clean.insert(clean.end(), creds.begin(), creds.end());
  auto ok = run_cli(clean);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("RealTime"), std::string::npos) << ok.out;
  EXPECT_TRUE(ok.err.empty()) << ok.err;

  // nodes: reachability only (no MDE findings), so 2 with one agent stopped.
  std::vector<std::string> probe{"nodes", "--node", node_arg(unhealthy), "--node", node_arg(stopped),
                                 "-o",    "tsv"};
  probe.insert(probe.end(), creds.begin(), creds.end());
  auto listed = run_cli(probe);
  EXPECT_EQ(listed.exit_code, 2) << listed.out << listed.err;
  EXPECT_NE(listed.out.find(unhealthy.node() + "\t" + unhealthy.address() + ":9448\tok\t"), std::string::npos)
      << listed.out;
  EXPECT_NE(listed.out.find(stopped.node() + "\t" + stopped.address() + ":9448\tunreachable\t"),
            std::string::npos)
      << listed.out;

  // threats and scans read their own routes.
  std::vector<std::string> listing{"threats", "--node", node_arg(threats), "--node", node_arg(healthy)};
  listing.insert(listing.end(), creds.begin(), creds.end());
  auto th = run_cli(listing);
  EXPECT_EQ(th.exit_code, 1) << th.out << th.err;
  EXPECT_NE(th.out.find("Virus:DOS/EICAR_Test_File"), std::string::npos) << th.out;
  listing[0] = "scans";
  auto sc = run_cli(listing);
  EXPECT_EQ(sc.exit_code, 0) << sc.out << sc.err;
  EXPECT_NE(sc.out.find("succeeded"), std::string::npos) << sc.out;
}

// The CLI keeps each node's TLS session for the next command under $XDG_CACHE_HOME, 0600 in a
// 0700 folder; --no-session-cache (or its variable) neither reads nor writes it.
TEST_F(ClusterCli, TlsSessionsAreKeptForTheNextCommandUnlessTurnedOff) {
  auto& agent = add_agent("cached");
  agent.start({"--log-target", "stderr"});
  auto creds = credentials({&agent});
  std::vector<std::string> args{"nodes", "-o", "json", "--node", node_arg(agent)};
  args.insert(args.end(), creds.begin(), creds.end());
  fs::path cache = scratch_ / "xdg-cache";
  auto off = run_cli(args, 60s, {"XDG_CACHE_HOME=" + cache.string(), "NEXUS_MDE_NO_SESSION_CACHE=true"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_FALSE(fs::exists(cache)) << "--no-session-cache writes nothing";
  auto on = run_cli(args, 60s, {"XDG_CACHE_HOME=" + cache.string()});
  EXPECT_EQ(on.exit_code, 0) << on.err;
  fs::path file = cache / "nexus-mde" / "tls-sessions";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(file.parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
  auto text = testing::read_file(file);
  EXPECT_NE(text.find(" " + agent.node() + " " + agent.address() + ":9448 "), std::string::npos) << text;
  EXPECT_EQ(text.find(agents_.front()->tokens().operator_), std::string::npos) << "no token in the cache";
}

TEST_F(ClusterCli, ScanWaitFollowsEveryNodeToItsEnd) {
  auto& clean = add_agent("clean");
  auto& failing = add_agent("failing");
  auto& infected = add_agent("infected");
  auto& dying = add_agent("dying");
  auto eicar_dir = infected.dir() / "scanme";
  fs::create_directories(eicar_dir);
  testing::write_file(eicar_dir / "eicar.com", kEicarTestString);
  clean.set_mdatp_state(json::object{{"scanDurationMs", 1500}});
  failing.set_mdatp_state(json::object{{"scanDurationMs", 500}, {"scanFails", true}});
  infected.set_mdatp_state(
      json::object{{"scanDurationMs", 500}, {"scanPaths", json::array{eicar_dir.string()}}});
  dying.set_mdatp_state(json::object{{"scanDurationMs", 30000}});
  for (auto* a : {&clean, &failing, &infected, &dying}) a->start({"--log-target", "stderr"});

  std::vector<std::string> args{"scan", "--wait", "--type", "quick", "-o", "json", "--deadline", "60"};
  auto creds = credentials({&clean, &failing, &infected, &dying});
  args.insert(args.end(), creds.begin(), creds.end());
  for (auto* a : {&clean, &failing, &infected, &dying}) {
    args.push_back("--node");
    args.push_back(node_arg(*a));
  }
  std::thread killer([&] {
    testing::wait_for_text(dying.dir() / "agent.log", ") triggered by ");
    std::this_thread::sleep_for(500ms);
    dying.stop_hard();  // mid-scan (30 s): its long-poll connection drops, and nobody answers again
  });
  auto r = run_cli(args, 90s);
  killer.join();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto nodes = nodes_by_name(r.out);
  ASSERT_EQ(nodes.size(), 4u);
  auto scan_state = [&](const AgentHarness& a) {
    const auto& n = nodes[a.node()];
    return n.at("scan").is_object() ? std::string(n.at("scan").at("state").as_string()) : std::string("none");
  };
  EXPECT_EQ(state_of(nodes[clean.node()]), "ok");
  EXPECT_EQ(scan_state(clean), "succeeded");
  EXPECT_TRUE(nodes[clean.node()].at("findings").as_array().empty());
  EXPECT_EQ(scan_state(failing), "failed");
  EXPECT_FALSE(nodes[failing.node()].at("findings").as_array().empty());
  EXPECT_EQ(scan_state(infected), "succeeded");
  EXPECT_EQ(nodes[infected.node()].at("scan").at("threatsDetected"), 1);
  EXPECT_EQ(state_of(nodes[dying.node()]), "unreachable") << json::serialize(nodes[dying.node()]);
  // Not a TTY: one plain progress line per node on stderr, nothing on stdout but the JSON.
  EXPECT_NE(r.err.find(clean.node() + ": scan succeeded"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("\r"), std::string::npos);

  // A node already scanning is joined by --wait, refused without it; the deadline gives exit 4.
  clean.set_mdatp_state(json::object{{"scanDurationMs", 20000}});
  std::vector<std::string> one{"--node", node_arg(clean)};
  one.insert(one.end(), creds.begin(), creds.end());
  auto started = run_cli([&] {
    auto a = one;
    a.insert(a.begin(), "scan");
    return a;
  }());
  EXPECT_EQ(started.exit_code, 0) << started.out << started.err;
  auto refused = run_cli([&] {
    auto a = one;
    a.insert(a.begin(), "scan");
    a.push_back("-o");
    a.push_back("json");
    return a;
  }());
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_EQ(state_of(nodes_by_name(refused.out)[clean.node()]), "agent-error");
  auto begun = std::chrono::steady_clock::now();
  auto joined = run_cli([&] {
    auto a = one;
    a.insert(a.begin(), {"scan", "--wait", "--deadline", "2", "-o", "json"});
    return a;
  }());
  EXPECT_LT(std::chrono::steady_clock::now() - begun, 10s);
  EXPECT_EQ(joined.exit_code, 4) << joined.out << joined.err;
  auto j = nodes_by_name(joined.out)[clean.node()];
  EXPECT_EQ(state_of(j), "timeout");
  EXPECT_EQ(j.at("note"), "joined the scan already running");
  EXPECT_EQ(j.at("scan").at("state"), "running");
}

TEST_F(ClusterCli, TestDetectionProvesMdeCatchesEicarOnEveryNode) {
  auto& watched = add_agent("rtp");          // real-time protection watching the test folder
  auto& on_demand = add_agent("on-demand");  // real-time protection off: a custom scan proves it
  auto& blind = add_agent("blind");          // real-time protection on, but not watching that folder
  for (auto* a : {&watched, &on_demand, &blind}) {
    a->config()["detectionTest"] =
        json::object{{"directory", (a->dir() / "detect").string()}, {"timeoutSeconds", 2}};
    a->config()["mdatp"].as_object()["maxAgeSeconds"] = 0;  // status right after the test sees its threat
  }
  watched.set_mdatp_state(json::object{{"realTimePaths", json::array{(watched.dir() / "detect").string()}}});
  on_demand.set_mdatp_state(json::object{{"enforcementLevel", "on_demand"}});
  for (auto* a : {&watched, &on_demand, &blind}) a->start({"--log-target", "stderr"});

  auto creds = credentials({&watched, &on_demand, &blind});
  std::vector<std::string> args{"test-detection", "--wait", "-o", "json"};
  args.insert(args.end(), creds.begin(), creds.end());
  for (auto* a : {&watched, &on_demand, &blind}) args.insert(args.end(), {"--node", node_arg(*a)});
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the blind node did not detect it
  auto nodes = nodes_by_name(r.out);
  auto detection = [&](const AgentHarness& a) { return nodes[a.node()].at("detection").as_object(); };
  auto rt = detection(watched);
  EXPECT_EQ(rt.at("detected"), true) << json::serialize(rt);
  EXPECT_EQ(rt.at("method"), "real-time");
  EXPECT_EQ(rt.at("threat"), "Virus:DOS/EICAR_Test_File");
  EXPECT_EQ(rt.at("action"), "quarantined");
  EXPECT_TRUE(rt.at("timeToDetectMs").is_int64());
  auto scan = detection(on_demand);
  EXPECT_EQ(scan.at("detected"), true) << json::serialize(scan);
  EXPECT_EQ(scan.at("method"), "scan");
  EXPECT_EQ(scan.at("threat"), "Virus:DOS/EICAR_Test_File");
  auto missed = detection(blind);
  EXPECT_EQ(missed.at("detected"), false) << json::serialize(missed);
  EXPECT_EQ(missed.at("action"), "none");
  EXPECT_NE(json::serialize(missed.at("error")).find("did not report the file within 2 s"),
            std::string::npos);
  EXPECT_FALSE(nodes[blind.node()].at("findings").as_array().empty());
  // The test file is gone everywhere, whatever the outcome; the journal (here stderr) has the audit.
  for (auto* a : {&watched, &on_demand, &blind}) {
    EXPECT_TRUE(fs::is_empty(a->dir() / "detect")) << a->node();
    std::string started = std::string("detection test (") + (a == &on_demand ? "scan" : "real-time") +
                          ") started by token:runbook";
    EXPECT_NE(a->output().find(started), std::string::npos) << a->output();
  }
  EXPECT_NE(watched.output().find("DETECTED=yes ACTION=quarantined"), std::string::npos) << watched.output();
  EXPECT_NE(blind.output().find("DETECTED=no ACTION=none"), std::string::npos) << blind.output();

  // The proof does not poison the next check: the test's own EICAR threats are shown as test and
  // are not findings, unless asked for.
  std::vector<std::string> status_args{
      "status", "-o", "json", "--node", node_arg(watched), "--node", node_arg(on_demand)};
  status_args.insert(status_args.end(), creds.begin(), creds.end());
  auto after = run_cli(status_args);
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  auto after_nodes = nodes_by_name(after.out);
  for (auto* a : {&watched, &on_demand}) {
    const auto& n = after_nodes[a->node()];
    EXPECT_TRUE(n.at("findings").as_array().empty()) << json::serialize(n);
    const auto& threats = n.at("snapshot").at("threats").as_array();
    ASSERT_FALSE(threats.empty()) << json::serialize(n);
    EXPECT_EQ(threats.front().at("test"), true) << json::serialize(threats.front());
    EXPECT_NE(json::serialize(n.at("note")).find("from the detection test: not a finding"), std::string::npos)
        << json::serialize(n);
  }
  status_args.push_back("--include-test-detections");
  auto counted = run_cli(status_args);
  EXPECT_EQ(counted.exit_code, 1) << counted.out << counted.err;
  std::vector<std::string> threats_args{"threats", "--node", node_arg(watched)};
  threats_args.insert(threats_args.end(), creds.begin(), creds.end());
  auto listed = run_cli(threats_args);
  EXPECT_EQ(listed.exit_code, 0) << listed.out << listed.err;
  EXPECT_NE(listed.out.find("quarantined (test)"), std::string::npos) << listed.out;
  // A real threat that only borrows the test file's name is still a threat.
  EXPECT_FALSE(made_by_detection_test(std::string("Trojan:Linux/Fake"),
                                      std::string("/x/nexus-mde-eicar-0123456789abcdef.com")));
  EXPECT_TRUE(made_by_detection_test(std::string("Virus:DOS/EICAR_Test_File"),
                                     std::string("/x/nexus-mde-eicar-0123456789abcdef.com")));
  EXPECT_FALSE(
      made_by_detection_test(std::string("Virus:DOS/EICAR_Test_File"), std::string("/tmp/eicar.com")));

  // One test at a time (409); no path from the request; operators only.
  auto started_count = [&] {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = blind.output().find(") started by ", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  std::size_t before = started_count();
  std::thread first([&] {
    blind.curl_with_token(blind.tokens().operator_, "/v1/detection-test", {"-X", "POST"});
  });
  EXPECT_TRUE(testing::wait_until([&] { return started_count() > before; }));
  auto busy = blind.curl_with_token(blind.tokens().operator_, "/v1/detection-test", {"-X", "POST"});
  first.join();
  EXPECT_EQ(busy.http_status, 409) << busy.body;
  EXPECT_NE(busy.body.find("detection_test_running"), std::string::npos);
  auto with_path = blind.curl_with_token(blind.tokens().operator_, "/v1/detection-test",
                                         {"-X", "POST", "-d", R"({"path":"/etc/passwd"})"});
  EXPECT_EQ(with_path.http_status, 400) << with_path.body;
  EXPECT_EQ(blind.curl_with_token(blind.tokens().reader, "/v1/detection-test", {"-X", "POST"}).http_status,
            403);
  EXPECT_EQ(blind.curl_with_token(blind.tokens().operator_, "/v1/detection-test").http_status, 405);
}

TEST_F(ClusterCli, MutualTlsIdentityAndTheNodesName) {
  auto& agent = add_agent("mtls");
  agent.start({"--log-target", "stderr"});
  std::vector<std::string> base{"--ca-file", agent.ca().cert.string(), "--node", node_arg(agent), "-o",
                                "json"};
  auto as = [&](const testing::PemPair& p, std::vector<std::string> command) {
    command.insert(command.end(), base.begin(), base.end());
    command.insert(command.end(), {"--cert", p.cert.string(), "--key", p.key.string()});
    return run_cli(command);
  };
  auto status = as(agent.operator_client(), {"status"});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  auto reader_scan = as(agent.reader_client(), {"scan"});
  EXPECT_EQ(reader_scan.exit_code, 2);
  EXPECT_EQ(state_of(nodes_by_name(reader_scan.out)[agent.node()]), "auth-error") << reader_scan.out;
  auto expired = as(agent.expired_client(), {"status"});
  EXPECT_EQ(expired.exit_code, 3) << "an expired client certificate is refused before any connection: "
                                  << expired.err;
  EXPECT_NE(expired.err.find("--cert " + agent.expired_client().cert.string()), std::string::npos)
      << expired.err;

  // Dialled as another name at an address its certificate does not carry: refused by name.
  std::vector<std::string> renamed{"status",
                                   "--ca-file",
                                   agent.ca().cert.string(),
                                   "--node",
                                   "impostor=" + agent.address(),
                                   "--cert",
                                   agent.operator_client().cert.string(),
                                   "--key",
                                   agent.operator_client().key.string(),
                                   "-o",
                                   "json",
                                   "--timeout",
                                   "2"};
  auto server_cert = agent.pki().issue(agent.ca(), "no-ip", {"mtls-other", {"mtls-other"}, {}, -1, 30, true});
  agent.config()["tls"].as_object()["cert"] = server_cert.cert.string();
  agent.config()["tls"].as_object()["key"] = server_cert.key.string();
  agent.write_config();
  agent.process().signal(SIGHUP);
  EXPECT_TRUE(testing::wait_for_text(agent.dir() / "agent.log", "configuration and certificates reloaded"));
  auto mismatch = run_cli(renamed);
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.out << mismatch.err;
  auto n = nodes_by_name(mismatch.out)["impostor"];
  EXPECT_EQ(state_of(n), "tls-error");
  EXPECT_NE(json::serialize(n.at("reason")).find("names neither impostor"), std::string::npos)
      << json::serialize(n);
}

// A typo gets the closest names, as kubectl and az say it, and the usage exit code.
TEST_F(ClusterCli, MistypedCommandsAndFlagsGetSuggestions) {
  auto command = run_cli({"stauts"});
  EXPECT_EQ(command.exit_code, 3);
  EXPECT_NE(command.err.find("unknown command \"stauts\"\n\nDid you mean this?\n\tstatus\n"),
            std::string::npos)
      << command.err;
  auto sub = run_cli({"enforcement", "shwo"});
  EXPECT_NE(sub.err.find("unknown command \"shwo\"\n\nDid you mean this?\n\tshow"), std::string::npos)
      << sub.err;
  auto flag = run_cli({"status", "--nod", "r1=127.0.0.1"});
  EXPECT_EQ(flag.exit_code, 3);
  EXPECT_NE(flag.err.find("unknown flag \"--nod\"\n\nDid you mean this?\n\t--node"), std::string::npos)
      << flag.err;
  auto nothing_near = run_cli({"xyzzy"});
  EXPECT_NE(nothing_near.err.find("unknown command \"xyzzy\"\n"), std::string::npos) << nothing_near.err;
  EXPECT_EQ(nothing_near.err.find("Did you mean"), std::string::npos) << nothing_near.err;
  // The config file's keys too: a misspelt key is named, never silently dropped.
  testing::write_file(scratch_ / "typo.toml", "ca-fil = \"/etc/ca.pem\"\n");
  auto key = run_cli({"status", "--config", (scratch_ / "typo.toml").string()});
  EXPECT_EQ(key.exit_code, 3);
  EXPECT_NE(key.err.find("config file " + (scratch_ / "typo.toml").string() +
                         ": unknown key \"ca-fil\"\n\nDid you mean this?\n\tca-file"),
            std::string::npos)
      << key.err;
  // An option's value is not taken for a command or a flag.
  auto value = run_cli({"status", "--node", "stauts=127.0.0.1", "--timeout", "1", "-o", "json"});
  EXPECT_EQ(value.err.find("Did you mean"), std::string::npos) << value.err;
}

// A setting given in several places: the flag, then the environment, then the config file
// (docs/settings.md). Each place names a different missing inventory, so the error says which won.
TEST_F(ClusterCli, SettingsComeFromTheFlagThenTheEnvironmentThenTheConfigFile) {
  testing::write_file(scratch_ / "settings.toml", "inventory = \"/nonexistent/from-config.json\"\n");
  const std::string config = "NEXUS_MDE_CONFIG=" + (scratch_ / "settings.toml").string();
  const std::string env = "NEXUS_MDE_INVENTORY=/nonexistent/from-env.json";
  auto inventory_named = [](const ProcessResult& r) {
    for (const char* source : {"from-flag", "from-env", "from-config"}) {
      if (r.err.find(std::string("/nonexistent/") + source) != std::string::npos) return std::string(source);
    }
    return "none: " + r.err;
  };
  auto all_three = run_cli({"status", "--inventory", "/nonexistent/from-flag.json"}, 60s, {config, env});
  EXPECT_EQ(all_three.exit_code, 3);
  EXPECT_EQ(inventory_named(all_three), "from-flag");
  EXPECT_EQ(inventory_named(run_cli({"status"}, 60s, {config, env})), "from-env");
  EXPECT_EQ(inventory_named(run_cli({"status"}, 60s, {config})), "from-config");
  // az networkcloud's name for the cluster is accepted too.
  auto alias =
      run_cli({"enforcement", "show", "--cluster-name", "bad name!", "-g", "rg", "--subscription", "s"});
  EXPECT_EQ(alias.exit_code, 3);
  EXPECT_NE(alias.err.find("must be the cluster's ARM name"), std::string::npos) << alias.err;
}

// `kubectl nexus-mde` with kubectl's own flags: the real kubectl, given the operator's kubeconfig
// and context, lists the nodes (a recorded NodeList served by a double of the API server), and
// the plugin asks each node's agent at its InternalIP. -l selects nodes; -n is accepted.
TEST_F(ClusterCli, KubectlPluginFindsNodesThroughTheKubernetesApi) {
  auto& r1 = add_agent("rack1compute01");
  auto& r2 = add_agent("rack2compute01");
  for (auto* a : {&r1, &r2}) a->start({"--log-target", "stderr"});
  // The recorded NodeList, with the harness's node names and addresses in it.
  json::value list = json::parse(testing::read_format_fixture("formats/kubernetes/nodes.json"));
  for (auto [i, a] : {std::pair{0, &r1}, std::pair{1, &r2}}) {
    auto& node = list.at("items").as_array()[static_cast<std::size_t>(i)].as_object();
    node["metadata"].as_object()["name"] = a->node();
    for (auto& address : node["status"].as_object()["addresses"].as_array()) {
      if (address.at("type") == "InternalIP") address.as_object()["address"] = a->address();
    }
  }
  testing::write_file(scratch_ / "nodes.json", json::serialize(list));
  std::string api = testing::unique_loopback_address();
  auto cert = r1.pki().issue(r1.ca(), "kube-apiserver", {"kube-apiserver", {}, {api}, -1, 30, true});
  testing::BackgroundProcess server(
      {NEXUS_MDE_SOURCE_DIR "/tests/fakes/kube-apiserver/fake-kube-apiserver", "--listen", api + ":6443",
       "--cert", cert.cert.string(), "--key", cert.key.string(), "--token", "kube-token", "--nodes",
       (scratch_ / "nodes.json").string()},
      {"PATH=/usr/bin:/bin"}, scratch_ / "kube.log");
  ASSERT_TRUE(testing::wait_for_text(scratch_ / "kube.log", "listening on " + api + ":6443"))
      << testing::read_file(scratch_ / "kube.log");
  testing::write_file(
      scratch_ / "kubeconfig",
      "apiVersion: v1\nkind: Config\nclusters:\n- name: nexus\n  cluster:\n    server: https://" + api +
          ":6443\n    certificate-authority: " + r1.ca().cert.string() +
          "\nusers:\n- name: ops\n  user:\n    token: kube-token\ncontexts:\n- name: prod\n  context:\n"
          "    cluster: nexus\n    user: ops\ncurrent-context: other\n");
  // kubectl finds its plugin on PATH and passes the flags through.
  std::filesystem::create_directories(scratch_ / "bin");
  std::filesystem::create_symlink(kCli, scratch_ / "bin" / "kubectl-nexus_mde");
  auto creds = credentials({&r1, &r2});
  auto kubectl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{"/usr/bin/kubectl", "nexus-mde"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), creds.begin(), creds.end());
    ProcessOptions o;
    o.timeout = 60s;
    o.environment = {"PATH=" + (scratch_ / "bin").string() + ":/usr/bin:/bin",
                     "HOME=" + scratch_.path().string()};
    auto r = run_process(argv, o);
    if (!r) throw std::runtime_error(r.error().describe());
    return std::move(*r);
  };
  auto all = kubectl({"status", "--kubeconfig", (scratch_ / "kubeconfig").string(), "--context", "prod", "-n",
                      "kube-system", "-o", "json"});
  EXPECT_EQ(all.exit_code, 0) << all.out << all.err;
  auto nodes = nodes_by_name(all.out);
  EXPECT_EQ(nodes.size(), 2u) << all.out;
  for (auto* a : {&r1, &r2}) {
    EXPECT_EQ(state_of(nodes[a->node()]), "ok") << json::serialize(nodes[a->node()]);
    EXPECT_EQ(nodes[a->node()].at("address"), (a->address() + ":9448").c_str());
  }
  auto one = kubectl({"status", "--kubeconfig", (scratch_ / "kubeconfig").string(), "--context", "prod", "-l",
                      "rack=rack2", "-o", "json"});
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  auto selected = nodes_by_name(one.out);
  ASSERT_EQ(selected.size(), 1u) << one.out;
  EXPECT_EQ(selected.begin()->first, r2.node());
  EXPECT_NE(testing::read_file(scratch_ / "kube.log").find("labelSelector=rack%3Drack2"), std::string::npos)
      << testing::read_file(scratch_ / "kube.log");
  // A context the kubeconfig does not have: kubectl's own words, and the usage exit code.
  auto wrong =
      kubectl({"status", "--kubeconfig", (scratch_ / "kubeconfig").string(), "--context", "staging"});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  EXPECT_NE(wrong.err.find("kubectl get nodes failed"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("staging"), std::string::npos) << wrong.err;
}

// Two nodes' entries swapped, or an address reused by another node: what answers is not the node
// asked for. Its data must never show under the wrong name. A certificate that names other hosts
// is caught at the handshake; one that carries only the address is caught by the node the agent
// says it is. Either way: identity-mismatch, with both names, and no snapshot.
TEST_F(ClusterCli, AnAnswerFromAnotherNodeIsAnIdentityMismatch) {
  auto& a = add_agent("ident-a");
  auto& b = add_agent("ident-b");
  auto& ip_only = add_agent("ident-c");
  auto cert =
      ip_only.pki().issue(ip_only.ca(), "ip-only", {"ip-only", {}, {ip_only.address()}, -1, 30, true});
  ip_only.config()["tls"].as_object()["cert"] = cert.cert.string();
  ip_only.config()["tls"].as_object()["key"] = cert.key.string();
  for (auto* x : {&a, &b, &ip_only}) x->start({"--log-target", "stderr"});
  auto creds = credentials({&a, &b, &ip_only});
  std::vector<std::string> args{"status",
                                "-o",
                                "json",
                                "--node",
                                a.node() + "=" + b.address(),
                                "--node",
                                b.node() + "=" + a.address(),
                                "--node",
                                "rack9=" + ip_only.address()};
  args.insert(args.end(), creds.begin(), creds.end());
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << "no node's data can be shown\n" << r.out << r.err;
  auto nodes = nodes_by_name(r.out);
  for (auto [asked, other] : {std::pair{a.node(), b.node()}, std::pair{b.node(), a.node()}}) {
    const auto& n = nodes[asked];
    EXPECT_EQ(state_of(n), "identity-mismatch") << json::serialize(n);
    std::string reason(n.at("reason").as_string());
    EXPECT_NE(reason.find("asked " + asked), std::string::npos) << reason;
    EXPECT_NE(reason.find("the certificate there is " + other + "'s"), std::string::npos) << reason;
    EXPECT_TRUE(n.at("snapshot").is_null());
  }
  const auto& c = nodes["rack9"];
  EXPECT_EQ(state_of(c), "identity-mismatch") << json::serialize(c);
  EXPECT_NE(json::serialize(c.at("reason")).find("says it is " + ip_only.node()), std::string::npos)
      << json::serialize(c);
  EXPECT_TRUE(c.at("snapshot").is_null());
  // The same nodes under their own names are fine.
  std::vector<std::string> right{"status", "-o",        "json",   "--node",         node_arg(a),
                                 "--node", node_arg(b), "--node", node_arg(ip_only)};
  right.insert(right.end(), creds.begin(), creds.end());
  auto fine = run_cli(right);
  EXPECT_EQ(fine.exit_code, 0) << fine.out << fine.err;
}

// A server that starts an answer and ends the connection half-way (no TLS close_notify): the node
// is an http-error "cut short", not a TLS error. A few lines of Python's ssl module stand in for
// a node whose agent dies mid-answer.
TEST_F(ClusterCli, AnAnswerCutShortIsNamedSo) {
  auto& a = add_agent("cut");  // its address, certificate and CA; not started
  testing::write_file(scratch_ / "cut.py", R"(import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
listener = socket.create_server((sys.argv[1], 9448))
print("listening", flush=True)
while True:
    conn, _ = listener.accept()
    tls = ctx.wrap_socket(conn, server_side=True)
    tls.recv(65536)
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"node\":")
    tls.detach().close()  # the TCP connection ends without a TLS close_notify
)");
  testing::BackgroundProcess server({"/usr/bin/python3", (scratch_ / "cut.py").string(), a.address(),
                                     a.server().cert.string(), a.server().key.string()},
                                    {"PATH=/usr/bin:/bin"}, scratch_ / "cut.log");
  ASSERT_TRUE(testing::wait_until([&] {
    return testing::read_file(scratch_ / "cut.log").find("listening") != std::string::npos ||
           server.wait_exit(std::chrono::milliseconds(0)).has_value();
  }));
  ASSERT_FALSE(server.wait_exit(std::chrono::milliseconds(0)).has_value())
      << testing::read_file(scratch_ / "cut.log");
  auto creds = credentials({&a});
  std::vector<std::string> args{"status", "-o", "json", "--node", node_arg(a)};
  args.insert(args.end(), creds.begin(), creds.end());
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  auto n = nodes_by_name(r.out)[a.node()];
  EXPECT_EQ(state_of(n), "http-error") << json::serialize(n);
  EXPECT_NE(json::serialize(n.at("reason"))
                .find("the answer was cut short: the connection ended after 8 bytes of its body"),
            std::string::npos)
      << json::serialize(n);
}

// Twenty nodes each streaming an endless answer: each fails alone (its answer past the limit for
// one answer, or the answers in flight past the budget for all), and the CLI's memory stays
// bounded instead of growing with every node (before: 143 MB per such node).
TEST_F(ClusterCli, EndlessAnswersFailTheirNodesWithinAMemoryBudget) {
  auto& a = add_agent("endless");  // its CA and operator token; not started
  std::vector<std::string> addresses;
  for (int i = 0; i < 20; ++i) addresses.push_back(testing::unique_loopback_address());
  auto cert = a.pki().issue(a.ca(), "endless", {"endless", {}, addresses, -1, 30, true});
  testing::write_file(scratch_ / "endless.py", R"(import selectors, socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
chunk = b"%x\r\n%s\r\n" % (65536, b"x" * 65536)
sel = selectors.DefaultSelector()
for address in sys.argv[3:]:
    listener = socket.create_server((address, 9448))
    sel.register(listener, selectors.EVENT_READ, "listener")
print("listening", flush=True)
while True:
    for key, _ in sel.select():
        if key.data == "listener":
            conn, _ = key.fileobj.accept()
            try:
                tls = ctx.wrap_socket(conn, server_side=True)
                tls.recv(65536)
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                tls.setblocking(False)
                sel.register(tls, selectors.EVENT_WRITE, "answer")
            except OSError:
                conn.close()
        else:
            try:
                key.fileobj.send(chunk)
            except ssl.SSLWantWriteError:
                pass
            except OSError:
                sel.unregister(key.fileobj)
                key.fileobj.close()
)");
  std::vector<std::string> server_argv{"/usr/bin/python3", (scratch_ / "endless.py").string(),
                                       cert.cert.string(), cert.key.string()};
  server_argv.insert(server_argv.end(), addresses.begin(), addresses.end());
  testing::BackgroundProcess server(server_argv, {"PATH=/usr/bin:/bin"}, scratch_ / "endless.log");
  ASSERT_TRUE(testing::wait_until([&] {
    return testing::read_file(scratch_ / "endless.log").find("listening") != std::string::npos ||
           server.wait_exit(std::chrono::milliseconds(0)).has_value();
  }));
  ASSERT_FALSE(server.wait_exit(std::chrono::milliseconds(0)).has_value())
      << testing::read_file(scratch_ / "endless.log");

  auto creds = credentials({&a});
  std::vector<std::string> args{
      "/usr/bin/time", "-f",  "%M",         "-o", (scratch_ / "rss").string(), kCli, "status", "-o", "json",
      "--timeout",     "120", "--deadline", "600"};
  args.insert(args.end(), creds.begin(), creds.end());
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    args.insert(args.end(), {"--node", "endless" + std::to_string(i) + "=" + addresses[i]});
  }
  ProcessOptions o;
  o.timeout = 900s;
  o.environment = {"PATH=/usr/bin:/bin", "HOME=/nonexistent"};
  auto r = run_process(args, o);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->exit_code, 2) << r->err;
  std::size_t over_limit = 0, over_budget = 0;
  for (const auto& [name, n] : nodes_by_name(r->out)) {
    EXPECT_EQ(state_of(n), "http-error") << json::serialize(n);
    std::string reason = json::serialize(n.at("reason"));
    over_limit += reason.find("larger than the CLI's limit of 16 MiB for one answer") != std::string::npos;
    over_budget += reason.find("reached the CLI's budget of 128 MiB") != std::string::npos;
  }
  EXPECT_EQ(over_limit + over_budget, addresses.size()) << r->out;
  std::string rss = testing::read_file(scratch_ / "rss");  // "Command exited with non-zero status 2\n<KiB>\n"
  rss.erase(rss.find_last_not_of('\n') + 1);
  auto peak_kb = std::stol(rss.substr(rss.rfind('\n') + 1));
  std::cout << "20 endless answers: " << over_limit << " past the limit for one answer, " << over_budget
            << " past the budget for all; the CLI's peak RSS " << peak_kb / 1024 << " MiB\n";
#if !defined(__SANITIZE_ADDRESS__)  // ASan's shadow memory and quarantine make RSS say little
  EXPECT_LT(peak_kb, 512 * 1024) << "the CLI's peak RSS in KiB";
#endif
}

TEST_F(ClusterCli, AnAgentListeningOnIpv6) {
  // ::1 is a single address: the agent gets a port of its own there, next to its IPv4 one.
  if (::access("/proc/net/if_inet6", R_OK) != 0) GTEST_SKIP() << "no IPv6 on this machine";
  auto& a = add_agent("v6");
  std::string port = std::to_string(20000 + ::getpid() % 20000);
  auto cert = a.pki().issue(a.ca(), "v6", {a.node(), {a.node()}, {a.address(), "::1"}, -1, 30, true});
  a.config()["listen"] = json::array{a.address() + ":9448", "[::1]:" + port};
  a.config()["tls"].as_object()["cert"] = cert.cert.string();
  a.config()["tls"].as_object()["key"] = cert.key.string();
  a.start({"--log-target", "stderr"});

  // curl over IPv6, the certificate verified for the address (IP SAN ::1).
  ProcessOptions o;
  o.timeout = 30s;
  auto curl = run_process({"/usr/bin/curl", "-sS", "-g", "--max-time", "10", "--cacert", a.ca().cert.string(),
                           "-H", "Authorization: Bearer " + a.tokens().reader, "-o", "/dev/null", "-w",
                           "%{http_code}", "https://[::1]:" + port + "/v1/status"},
                          o);
  ASSERT_TRUE(curl);
  EXPECT_EQ(curl->out, "200") << curl->err;

  // The CLI at [::1]:PORT: the certificate names the node by its address.
  auto creds = credentials({&a});
  std::vector<std::string> args{"status", "-o", "json", "--node", a.node() + "=[::1]:" + port};
  args.insert(args.end(), creds.begin(), creds.end());
  auto r = run_cli(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto n = nodes_by_name(r.out)[a.node()];
  EXPECT_EQ(state_of(n), "ok") << json::serialize(n);
  EXPECT_EQ(std::string(n.at("address").as_string()), "[::1]:" + port);
}

// --concurrency beyond what the open-file limit allows is refused with both figures, before any
// connection; the automatic width stays within the limit.
TEST_F(ClusterCli, ConcurrencyBeyondTheOpenFileLimitIsRefused) {
  auto& a = add_agent("limit-a");
  a.start();
  std::string creds;
  for (const auto& c : credentials({&a})) creds += " " + c;
  auto limited = [&](const std::string& args) {
    ProcessOptions o;
    o.timeout = 60s;
    o.environment = {"PATH=/usr/bin:/bin", "HOME=/nonexistent"};
    // ulimit -n sets the hard limit too, so the CLI cannot raise it.
    return *run_process({"/bin/sh", "-c",
                         "ulimit -n 400 && exec " + std::string(kCli) + " status -o json --node " +
                             node_arg(a) + creds + args},
                        o);
  };
  auto refused = limited(" --concurrency 1000");
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_NE(refused.err.find("--concurrency: needs 1000 open files, and the limit allows 272"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(limited("").exit_code, 0) << "the automatic width fits the limit";
}

TEST_F(ClusterCli, BadInventoryAndCredentialsAreUsageErrorsNamingTheEntry) {
  testing::write_file(scratch_ / "ca.pem", "not a certificate");
  testing::write_file(scratch_ / "token", "t0ken\n");
  std::vector<std::string> creds{"--ca-file", (scratch_ / "ca.pem").string(), "--token-file",
                                 (scratch_ / "token").string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "status");
    return run_cli(args);
  };
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  testing::write_file(
      scratch_ / "inv.json",
      R"({"nodes":[{"name":"r1","address":"10.0.0.1"},{"name":"r2","address":"10.0.0.2","port":70000}]})");
  testing::write_file(scratch_ / "dup.json",
                      R"({"nodes":[{"name":"r1","address":"10.0.0.1"},{"name":"r1","address":"10.0.0.2"}]})");
  testing::write_file(scratch_ / "typo.json", R"({"nodes":[{"name":"r1","adress":"10.0.0.1"}]})");
  std::vector<Case> cases{
      {{"--node", "r1"}, "--node r1: expected NAME=HOST[:PORT]"},
      {{"--node", "r1=10.0.0.1:0"}, "port must be a number from 1 to 65535"},
      {{"--inventory", (scratch_ / "inv.json").string()}, "nodes[1].port"},
      {{"--inventory", (scratch_ / "dup.json").string()}, "\"r1\" is listed twice"},
      {{"--inventory", (scratch_ / "typo.json").string()}, "nodes[0].adress: unknown field"},
      {{"--inventory", (scratch_ / "missing.json").string()}, "missing.json: no such file"},
      {{"--inventory", "/dev/zero"}, "/dev/zero: a character device, not a file"},
      {{"--inventory", scratch_.path().string()}, scratch_.path().string() + ": a directory, not a file"},
      {{}, "no nodes: give --node"},
      {{"--node", "r1=10.0.0.1"}, "--ca-file " + (scratch_ / "ca.pem").string() + ": not a PEM"},
  };
  for (const auto& c : cases) {
    auto args = c.args;
    args.insert(args.end(), creds.begin(), creds.end());
    auto r = with(args);
    EXPECT_EQ(r.exit_code, 3) << c.names;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << "want \"" << c.names << "\" in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // What is there instead of a file is named (/dev/zero was read until memory ran out).
  for (const auto& [args, names] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--ca-file", scratch_.path().string(), "--token-file", (scratch_ / "token").string()},
            "--ca-file " + scratch_.path().string() + ": a directory, not a file"},
           {{"--ca-file", (scratch_ / "ca.pem").string(), "--token-file", "/dev/zero"},
            "--token-file /dev/zero: a character device, not a file"},
           {{"--ca-file", (scratch_ / "ca.pem").string(), "--token-file", scratch_.path().string()},
            "a directory, not a file"}}) {
    auto command = args;
    command.insert(command.begin(), {"status", "--node", "r1=10.0.0.1"});
    auto r = run_cli(command);
    EXPECT_EQ(r.exit_code, 3) << names;
    EXPECT_NE(r.err.find(names), std::string::npos) << "want \"" << names << "\" in: " << r.err;
  }
  auto no_credentials =
      run_cli({"status", "--node", "r1=10.0.0.1", "--ca-file", (scratch_ / "ca.pem").string()});
  EXPECT_EQ(no_credentials.exit_code, 3);
  EXPECT_NE(no_credentials.err.find("--token-file"), std::string::npos) << no_credentials.err;

  // The same settings from the environment and from a config file.
  auto from_env = run_cli({"status"}, 60s, {"NEXUS_MDE_NODES=r1=10.0.0.1:notaport"});
  EXPECT_EQ(from_env.exit_code, 3);
  EXPECT_NE(from_env.err.find("--node r1=10.0.0.1:notaport"), std::string::npos) << from_env.err;
  testing::write_file(scratch_ / "config.toml",
                      "inventory = \"" + (scratch_ / "typo.json").string() + "\"\n");
  auto from_config = run_cli({"status", "--config", (scratch_ / "config.toml").string()});
  EXPECT_EQ(from_config.exit_code, 3);
  EXPECT_NE(from_config.err.find("adress"), std::string::npos) << from_config.err;
  auto config_from_env =
      run_cli({"status"}, 60s, {"NEXUS_MDE_CONFIG=" + (scratch_ / "config.toml").string()});
  EXPECT_EQ(config_from_env.exit_code, 3);
  EXPECT_NE(config_from_env.err.find("adress"), std::string::npos) << config_from_env.err;
  // A config file named but missing is an error, not silently no settings.
  auto missing_config = run_cli({"status"}, 60s, {"NEXUS_MDE_CONFIG=" + (scratch_ / "absent.toml").string()});
  EXPECT_EQ(missing_config.exit_code, 3);
  EXPECT_NE(missing_config.err.find("absent.toml"), std::string::npos) << missing_config.err;
  // The flag beats the environment.
  testing::write_file(scratch_ / "other.toml", "node = [\"r1=10.0.0.1:notaport\"]\n");
  auto flag_wins = run_cli({"status", "--config", (scratch_ / "other.toml").string()}, 60s,
                           {"NEXUS_MDE_CONFIG=" + (scratch_ / "config.toml").string()});
  EXPECT_EQ(flag_wins.exit_code, 3);
  EXPECT_NE(flag_wins.err.find("notaport"), std::string::npos) << flag_wins.err;
}

// Each command's --help lists the options every command takes, grouped, as az does.
TEST_F(ClusterCli, EveryCommandsHelpListsTheGlobalOptions) {
  for (std::vector<std::string> command : {std::vector<std::string>{"status", "--help"},
                                           std::vector<std::string>{"enforcement", "set", "--help"}}) {
    auto r = run_cli(command);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* text :
         {"Nodes (global):\n  --node", "--inventory FILE", "ARM cluster (global):\n  --cluster",
          "Agents (global):\n  --ca-file", "Output (global):\n  -o,--output", "Config (global):"}) {
      EXPECT_NE(r.out.find(text), std::string::npos) << command[0] << ": no \"" << text << "\" in\n" << r.out;
    }
  }
  auto own = run_cli({"status", "--help"});
  EXPECT_LT(own.out.find("--summary"), own.out.find("(global):")) << "the command's own options come first\n"
                                                                  << own.out;
}

// Completion from the command tree, in a real bash typed into through tmux, and through kubectl's
// plugin completion (kubectl_complete-nexus_mde).
TEST_F(ClusterCli, CompletionInARealBashAndThroughKubectl) {
  if (!fs::exists("/usr/bin/tmux")) GTEST_SKIP() << "tmux is not installed";
  fs::create_directories(scratch_ / "bin");
  fs::create_symlink(kCli, scratch_ / "bin" / "nexus-mde");
  fs::copy_file(NEXUS_MDE_SOURCE_DIR "/plugin/kubectl_complete-nexus_mde",
                scratch_ / "bin" / "kubectl_complete-nexus_mde");
  fs::create_symlink(kCli, scratch_ / "bin" / "kubectl-nexus_mde");
  testing::write_file(scratch_ / "inventory.json",
                      R"({"nodes":[{"name":"rack1compute07","address":"192.0.2.7"}]})");
  std::string path = "PATH=" + (scratch_ / "bin").string() + ":/usr/bin:/bin";
  std::string session = "nexus-mde-complete-" + std::to_string(::getpid());
  auto tmux = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/tmux", "-L", session});
    ProcessOptions o;
    o.timeout = 10s;
    o.environment = {path, "TERM=xterm", "HOME=" + scratch_.path().string()};
    return *run_process(args, o);
  };
  tmux({"new-session", "-d", "-s", session, "-x", "200", "-y", "20", "bash --norc --noprofile"});
  std::string screen;
  auto shows = [&](const std::string& text) {
    return testing::wait_until([&] {
      screen = tmux({"capture-pane", "-p", "-t", session}).out;
      return screen.find(text) != std::string::npos;
    });
  };
  tmux({"send-keys", "-t", session, "PS1='$ '; source <(nexus-mde completion bash) && echo completion-loaded",
        "Enter"});
  ASSERT_TRUE(shows("\ncompletion-loaded")) << screen;
  tmux({"send-keys", "-t", session, "nexus-mde st", "Tab"});
  EXPECT_TRUE(shows("$ nexus-mde status\n")) << "one match: the word is completed\n" << screen;
  tmux({"send-keys", "-t", session, "C-u"});
  tmux({"send-keys", "-t", session, "nexus-mde -o ", "Tab", "Tab"});
  EXPECT_TRUE(shows("json   table  tsv    yaml")) << "the values of -o\n" << screen;
  tmux({"send-keys", "-t", session, "C-u"});
  tmux({"send-keys", "-t", session, "nexus-mde enforcement set Real", "Tab"});
  EXPECT_TRUE(shows("$ nexus-mde enforcement set RealTime\n")) << screen;
  tmux({"send-keys", "-t", session, "C-u"});
  tmux({"send-keys", "-t", session,
        "nexus-mde status --inventory " + (scratch_ / "inventory.json").string() + " --node ", "Tab"});
  EXPECT_TRUE(shows("--node rack1compute07=192.0.2.7:9448")) << "node names from the inventory\n" << screen;
  tmux({"kill-server"});

  // kubectl's own completion asks the plugin's kubectl_complete-nexus_mde.
  ProcessOptions o;
  o.timeout = 30s;
  o.environment = {path, "HOME=" + scratch_.path().string()};
  auto kubectl = run_process({"/usr/bin/kubectl", "__complete", "nexus-mde", "enforcement", "s"}, o);
  ASSERT_TRUE(kubectl.ok());
  EXPECT_NE(kubectl->out.find("set\nshow\n"), std::string::npos) << kubectl->out << kubectl->err;
}

// tmux on its own server (-L), so a test never touches the developer's sessions.
ProcessResult run_tmux(const std::string& server, std::vector<std::string> args,
                       std::vector<std::string> env = {}) {
  args.insert(args.begin(), {"/usr/bin/tmux", "-L", server});
  ProcessOptions o;
  o.timeout = 10s;
  o.environment = {"PATH=/usr/bin:/bin", "TERM=xterm", "HOME=/nonexistent"};
  o.environment.insert(o.environment.end(), env.begin(), env.end());
  return *run_process(args, o);
}

// Colour at a terminal only: states in colour there; none with NO_COLOR, --no-color, TERM=dumb or
// a pipe.
TEST_F(ClusterCli, ColourAtATerminalOnly) {
  if (!fs::exists("/usr/bin/tmux")) GTEST_SKIP() << "tmux is not installed";
  auto& a = add_agent("colour-a");
  a.start();
  std::string args = " nodes --timeout 2 --node " + node_arg(a) + " --node gone=127.0.0.1:1";
  for (const auto& c : credentials({&a})) args += " " + c;
  int runs = 0;
  auto screen_of = [&](const std::string& prefix, const std::string& suffix) {
    std::string server = "nexus-mde-colour-" + std::to_string(::getpid()) + "-" + std::to_string(++runs);
    std::string done = (scratch_ / "done").string();
    fs::remove(done);
    run_tmux(server, {"new-session", "-d", "-s", "c", "-x", "200", "-y", "10",
                      prefix + std::string(kCli) + args + suffix + "; touch " + done + "; sleep 30"});
    testing::wait_until([&] { return fs::exists(done); });
    std::string screen =
        run_tmux(server, {"capture-pane", "-e", "-p", "-t", "c"}).out;  // -e: with its colours
    run_tmux(server, {"kill-server"});
    return screen;
  };
  std::string coloured = screen_of("", "");
  EXPECT_NE(coloured.find("\x1b[32mok\x1b["), std::string::npos) << coloured;  // tmux shows the reset as 39m
  EXPECT_NE(coloured.find("\x1b[33munreachable\x1b["), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("NODE"), std::string::npos) << coloured;
  for (auto [prefix, suffix] :
       {std::pair<std::string, std::string>{"NO_COLOR=1 ", ""}, {"", " --no-color"}, {"TERM=dumb ", ""}}) {
    std::string plain = screen_of(prefix, suffix);
    EXPECT_NE(plain.find("unreachable"), std::string::npos) << prefix << suffix << plain;
    EXPECT_EQ(plain.find("\x1b[3"), std::string::npos) << prefix << suffix << plain;
  }
  auto piped = run_cli({"nodes", "--timeout", "2", "--node", node_arg(a), "--node", "gone=127.0.0.1:1"});
  EXPECT_EQ(piped.out.find('\x1b'), std::string::npos) << piped.out;
}

// --watch without a terminal: one whole JSON document per line, until SIGTERM, and the last
// answer's exit code.
TEST_F(ClusterCli, WatchStreamsOneDocumentPerLineUntilSigterm) {
  auto& a = add_agent("watch-a");
  a.start();
  std::string command = "exec " + std::string(kCli) + " status -w --interval 0.2 --node " + node_arg(a);
  for (const auto& c : credentials({&a})) command += " " + c;
  command += " 2>" + (scratch_ / "watch.err").string();
  const fs::path out = scratch_ / "watch.out";
  testing::BackgroundProcess watch({"/bin/sh", "-c", command}, {"PATH=/usr/bin:/bin", "HOME=/nonexistent"},
                                   out);
  auto lines = [&] {
    std::vector<std::string> l;
    std::istringstream in(testing::read_file(out));
    for (std::string line; std::getline(in, line);) l.push_back(line);
    return l;
  };
  EXPECT_TRUE(testing::wait_until([&] { return lines().size() >= 3; })) << testing::read_file(out);
  watch.signal(SIGTERM);
  EXPECT_EQ(watch.wait_exit(60s), 0) << testing::read_file(scratch_ / "watch.err");
  std::string text = testing::read_file(out);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n') << "the last document is whole";
  for (const auto& line : lines()) {
    json::value doc = json::parse(line);
    EXPECT_EQ(doc.at("kind"), "Status");
    EXPECT_EQ(doc.at("nodes").at(0).at("state"), "ok");
  }
}

// --watch at a terminal: the table is redrawn in place, under watch(1)'s heading, and Ctrl-C ends
// it with the last answer's exit code.
TEST_F(ClusterCli, WatchRedrawsTheTableAtATerminalUntilCtrlC) {
  if (!fs::exists("/usr/bin/tmux")) GTEST_SKIP() << "tmux is not installed";
  auto& a = add_agent("watch-tty");
  a.start();
  std::string command = std::string(kCli) + " status --watch --interval 0.3 --node " + node_arg(a);
  for (const auto& c : credentials({&a})) command += " " + c;
  const fs::path done = scratch_ / "watch-done";
  command += "; echo exit=$? > " + done.string() + "; sleep 30";
  std::string server = "nexus-mde-watch-" + std::to_string(::getpid());
  run_tmux(server, {"new-session", "-d", "-s", "w", "-x", "160", "-y", "20", command});
  auto screen = [&] { return run_tmux(server, {"capture-pane", "-p", "-t", "w"}).out; };
  std::string first;
  EXPECT_TRUE(testing::wait_until([&] {
    first = screen();
    return first.find("Every 0.3s: nexus-mde status") != std::string::npos &&
           first.find(a.node()) != std::string::npos;
  })) << first;
  std::string later;
  EXPECT_TRUE(testing::wait_until([&] {
    later = screen();
    return later.find("Every 0.3s") != std::string::npos && later != first;
  })) << "the heading's time never changed:\n"
      << later;
  std::size_t headers = 0;
  for (std::size_t at = later.find("NODE"); at != std::string::npos; at = later.find("NODE", at + 1))
    ++headers;
  EXPECT_EQ(headers, 1u) << "redrawn in place, not appended:\n" << later;
  run_tmux(server, {"send-keys", "-t", "w", "C-c"});
  EXPECT_TRUE(testing::wait_until([&] { return fs::exists(done); }));
  run_tmux(server, {"kill-server"});
  EXPECT_EQ(testing::read_file(done), "exit=0\n");
}

TEST_F(ClusterCli, LiveProgressLineOnATerminal) {
  if (!fs::exists("/usr/bin/tmux")) GTEST_SKIP() << "tmux is not installed";
  auto& a = add_agent("tty-a");
  auto& b = add_agent("tty-b");
  a.set_mdatp_state(json::object{{"scanDurationMs", 1000}});
  b.set_mdatp_state(json::object{{"scanDurationMs", 8000}});
  a.start({"--log-target", "stderr"});
  b.start({"--log-target", "stderr"});
  auto creds = credentials({&a, &b});
  std::string command = std::string(kCli) + " scan --wait --node " + node_arg(a) + " --node " + node_arg(b);
  for (const auto& c : creds) command += " " + c;
  command += " > " + (scratch_ / "out.txt").string() + "; echo exit=$? > " +
             (scratch_ / "done.txt").string() + "; sleep 30";
  std::string session = "nexus-mde-test-" + std::to_string(::getpid());
  auto tmux = [&](std::vector<std::string> args) { return run_tmux(session, std::move(args)); };
  tmux({"new-session", "-d", "-s", session, "-x", "200", "-y", "10", command});
  std::string screen;
  bool seen = testing::wait_until([&] {
    screen = tmux({"capture-pane", "-p", "-t", session}).out;
    return screen.find("scan: 1 of 2 done, 0 threats so far, waiting on " + b.node()) != std::string::npos;
  });
  EXPECT_TRUE(seen) << screen;
  testing::wait_until([&] { return fs::exists(scratch_ / "done.txt"); });
  screen = tmux({"capture-pane", "-p", "-t", session}).out;
  tmux({"kill-server"});
  EXPECT_EQ(testing::read_file(scratch_ / "done.txt"), "exit=0\n");
  EXPECT_EQ(screen.find("scan: "), std::string::npos) << "the live line is cleared at the end:\n" << screen;
  EXPECT_NE(testing::read_file(scratch_ / "out.txt").find("succeeded"), std::string::npos);
}

}  // namespace
}  // namespace nexus_mde

namespace nexus_mde {
namespace {

// A hostile node's text reaches the operator's terminal only as visible escapes, in every format
// of every command that prints it: ESC and BEL (a screen clear and a window title), DEL, and the
// C1 control CSI (U+009B) are never written raw.
TEST_F(ClusterCli, EscapeCodesFromANodeNeverReachTheTerminal) {
  auto& a = add_agent("hostile");
  const std::string hostile =
      "1.395\x1b[2J\x1b]0;pwned\a\x7f\xc2\x9b"
      "2J";
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  json::object threat{{"tracking_id", "t1"},
                      {"name", hostile},
                      {"type", "virus"},
                      {"path", "/tmp/" + hostile},
                      {"detection_time", now - 60000}};
  a.set_mdatp_state(json::object{
      {"definitionsVersion", hostile},
      {"appVersion", hostile},
      {"scans", json::array{json::object{{"type", "quick"},
                                         {"state", "succeeded"},
                                         {"startTime", now - 120000},
                                         {"endTime", now - 60000},
                                         {"filesScanned", 10},
                                         {"threats", json::array{json::object{{"threat", threat}}}}}}}});
  a.start({"--log-target", "stderr"});
  auto creds = credentials({&a});
  for (const char* command : {"status", "nodes", "scans", "threats"}) {
    for (const char* format : {"table", "tsv", "json", "yaml"}) {
      std::vector<std::string> args{command, "-o", format, "--node", node_arg(a)};
      args.insert(args.end(), creds.begin(), creds.end());
      auto r = run_cli(args);
      std::string where = std::string(command) + " -o " + format;
      EXPECT_LE(r.exit_code, 2) << where << ": " << r.err;
      testing::expect_no_terminal_controls(r.out, where + " stdout");
      testing::expect_no_terminal_controls(r.err, where + " stderr");
      bool document = std::string(format) == "json" || std::string(format) == "yaml";
      // nodes lists names and states, and the scans table counts threats: none of the node's text.
      if (std::string(command) == "nodes" || (std::string(command) == "scans" && !document)) continue;
      EXPECT_NE(r.out.find(document ? "\\u001b[2J" : "\\x1b[2J"), std::string::npos)
          << where << ": " << r.out;
      EXPECT_NE(r.out.find("\\u009b2J"), std::string::npos) << where << ": " << r.out;
    }
  }
}

}  // namespace
}  // namespace nexus_mde
