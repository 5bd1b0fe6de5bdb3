// nexus-mde against the ARM emulator (tests/fakes/arm) and real agents: discovery through the
// cluster's bare-metal machines (paging, another cluster's machine left out), enforcement show
// and set (read-modify-write, LRO, retries on 429/500, the api-version fallback, a failed
// operation), and the token errors that tell the operator how to log in.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "common/sys/time.hpp"
#include "tests/support/agent_harness.hpp"
#include "tests/support/arm_emulator.hpp"
#include "tests/support/cli_runner.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using testing::AgentHarness;
using namespace std::chrono_literals;

const std::string kToken = "arm-test-token";

class ArmCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"r1", "r2", "r10"}) {
      agents_.push_back(std::make_unique<AgentHarness>(name));
      agents_.back()->start({"--log-target", "stderr"});
    }
  }

  // The world the emulator serves: our agents as the cluster's machines, plus one of another cluster.
  json::object world(json::object overrides = {}) const {
    json::array nodes;
    for (const auto& a : agents_) {
      nodes.push_back(
          json::object{{"name", a->node()},
                       {"address", a->address()},
                       {"mdatpState", (a->dir() / "fake" / "fake-mdatp-state" / "state.json").string()}});
    }
    nodes.push_back(json::object{
        {"name", "elsewhere01"},
        {"address", "127.0.0.250"},
        {"clusterId",
         "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.NetworkCloud/clusters/other"}});
    json::object w{{"subscription", "sub-1"}, {"resourceGroup", "rg-1"},
                   {"cluster", "nexus-1"},    {"managedResourceGroup", "nexus-1-mrg"},
                   {"location", "eastus"},    {"token", kToken},
                   {"lroMilliseconds", 300},  {"pageSize", 2},
                   {"nodes", nodes}};
    for (auto& kv : overrides) w[kv.key()] = kv.value();
    return w;
  }

  void start_arm(const json::object& w) { ASSERT_TRUE(arm_.start(w)); }

  ProcessResult cli(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv{NEXUS_MDE_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--cluster", "nexus-1", "-g", "rg-1", "--subscription", "sub-1",
                             "--arm-endpoint", arm_.endpoint(), "--arm-ca-file", arm_.ca().cert.string()});
    ProcessOptions o;
    o.timeout = 60s;
    o.environment = {"PATH=/nonexistent",
                     "HOME=/nonexistent"};  // no az: the token comes from the environment
    bool token_given = false;
    for (const auto& e : env) token_given = token_given || e.rfind("NEXUS_MDE_ARM_TOKEN=", 0) == 0;
    if (!token_given) o.environment.push_back("NEXUS_MDE_ARM_TOKEN=" + kToken);
    o.environment.insert(o.environment.end(), env.begin(), env.end());
    auto r = run_process(argv, o);
    if (!r) throw std::runtime_error(r.error().describe());
    return std::move(*r);
  }

  std::vector<std::string> agent_credentials() {
    std::string bundle;
    for (const auto& a : agents_) bundle += testing::read_file(a->ca().cert);
    testing::write_file(dir_ / "agents-ca.pem", bundle);
    testing::write_file(dir_ / "token", agents_.front()->tokens().operator_);
    return {"--ca-file", (dir_ / "agents-ca.pem").string(), "--token-file", (dir_ / "token").string()};
  }

  // The CLI with the agents' CA and the operator token as well (commands that also ask agents).
  ProcessResult cli_with_agents(std::vector<std::string> args) {
    auto creds = agent_credentials();
    args.insert(args.end(), creds.begin(), creds.end());
    return cli(args);
  }

  testing::ScratchDir dir_;
  testing::TestPki pki_{dir_.path()};
  std::vector<std::unique_ptr<AgentHarness>> agents_;
  testing::ArmEmulator arm_{dir_.path(), pki_, 19000};
};

TEST_F(ArmCli, DiscoveryFindsTheClustersMachinesAcrossPagesAndAsksTheirAgents) {
  start_arm(world());
  auto r = cli_with_agents({"status", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto doc = json::parse(r.out);
  const auto& nodes = doc.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 3u) << r.out;  // elsewhere01 belongs to another cluster
  for (const auto& n : nodes) EXPECT_EQ(n.at("state"), "ok") << json::serialize(n);
  // Natural order of the machine names, each at its OAM address.
  EXPECT_EQ(nodes[0].at("node").as_string(), agents_[0]->node());
  EXPECT_EQ(nodes[0].at("address").as_string(), agents_[0]->address() + ":9448");
  auto log = testing::read_file(arm_.log());
  EXPECT_NE(log.find("bareMetalMachines?api-version=2026-07-01&%24skipToken=2"), std::string::npos)
      << "followed nextLink:\n"
      << log;
}

TEST_F(ArmCli, AMachineWithoutAnAgentShowsWhatArmReports) {
  // r99: listed by ARM, nothing listening at its address; the platform reports its MDE.
  auto w = world();
  std::string silent = testing::unique_loopback_address();
  auto state_file = dir_ / "r99-state.json";
  testing::write_file(state_file,
                      R"({"healthy":false,"healthIssues":["no definitions"],"definitionsAgeMinutes":30,
    "scans":[{"type":"quick","state":"succeeded","startTime":1697204573732,"endTime":1697204632487}]})");
  w["nodes"].as_array().push_back(
      json::object{{"name", "r99"}, {"address", silent}, {"mdatpState", state_file.string()}});
  start_arm(w);
  auto r = cli_with_agents({"status", "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << "unhealthy is a finding, even through ARM\n" << r.out << r.err;
  auto doc = json::parse(r.out);
  const json::object* r99 = nullptr;
  for (const auto& n : doc.at("nodes").as_array()) {
    if (n.at("node") == "r99")
      r99 = &n.as_object();
    else
      EXPECT_EQ(n.at("state"), "ok") << json::serialize(n);
  }
  ASSERT_NE(r99, nullptr) << r.out;
  EXPECT_EQ(r99->at("state"), "unreachable") << "one state for a down agent in every command";
  EXPECT_EQ(r99->at("source"), "arm");
  EXPECT_NE(std::string(r99->at("reason").as_string()).find("no agent answered (cannot connect"),
            std::string::npos);
  EXPECT_NE(std::string(r99->at("note").as_string()).find("runtimeProtectionStatus"), std::string::npos);
  const auto& snap = r99->at("snapshot");
  EXPECT_EQ(snap.at("health").at("healthy"), false);
  EXPECT_EQ(snap.at("health").at("healthIssues"), (json::array{"no definitions"}));
  EXPECT_EQ(snap.at("health").at("licensed"), true);
  EXPECT_EQ(snap.at("health").at("definitionsVersion"), "1.395.227.0");
  EXPECT_EQ(snap.at("enforcement").at("level"), "Disabled");
  EXPECT_EQ(snap.at("scans").at(0).at("startTime"), "2023-10-13T13:42:53.732Z");
  EXPECT_EQ(snap.at("scans").at(0).at("endTime"), "2023-10-13T13:43:52.487Z");
  EXPECT_EQ(r99->at("findings"), (json::array{"unhealthy"}));

  // Healthy through ARM: still incomplete (2), as threats are unknown without the agent; the
  // table says so rather than showing zeros.
  testing::write_file(state_file, R"({"healthy":true})");
  auto table = cli_with_agents({"status", "-o", "table"});
  EXPECT_EQ(table.exit_code, 2) << table.out << table.err;
  bool row = false;
  std::istringstream lines(table.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("r99 ", 0) != 0) continue;
    row = true;
    EXPECT_NE(line.find(" unreachable "), std::string::npos) << line;
    EXPECT_NE(line.find(" ?        ?            no agent answered"), std::string::npos)
        << "threats and quarantine unknown: " << line;
  }
  EXPECT_TRUE(row) << table.out;
}

TEST_F(ArmCli, ExtractRunsTheDataExtractOnEveryReadyMachineAndReadsItsArchive) {
  // r1 has a threat; r2's extract runs out of time (252); off01 is powered off; storage answers
  // every download with a redirect first.
  agents_[0]->set_mdatp_state(json::object{
      {"scans", json::array{json::object{
                    {"type", "quick"},
                    {"state", "succeeded"},
                    {"startTime", 1697204573732},
                    {"endTime", 1697204632487},
                    {"filesScanned", 1750},
                    {"threats", json::array{json::object{
                                    {"threat", json::object{{"tracking_id", "t1"},
                                                            {"name", "Virus:DOS/EICAR_Test_File"},
                                                            {"type", "virus"},
                                                            {"path", "/tmp/eicar.com"},
                                                            {"detection_time", 1697204600000}}},
                                    {"history", json::array{json::object{{"key", 1697204600000},
                                                                         {"value", "quarantined"}}}}}}}}}}});
  auto w = world({{"blobRedirect", true}});
  auto& nodes = w["nodes"].as_array();
  nodes[1].as_object()["extractTimesOut"] = true;
  nodes.push_back(json::object{{"name", "off01"}, {"address", "127.0.0.251"}, {"powerState", "Off"}});
  start_arm(w);
  auto r = cli({"extract", "--limit-time-seconds", "60", "-o", "json"});
  EXPECT_EQ(r.exit_code, 1) << "the threat is a finding\n" << r.out << r.err;
  auto doc = json::parse(r.out);
  std::map<std::string, json::object> by_node;
  for (const auto& n : doc.at("nodes").as_array())
    by_node[std::string(n.at("node").as_string())] = n.as_object();
  ASSERT_EQ(by_node.size(), 4u) << r.out;
  const auto& r1 = by_node.at(agents_[0]->node());
  EXPECT_EQ(r1.at("state"), "ok") << json::serialize(r1);
  EXPECT_EQ(r1.at("snapshot").at("threats").as_array().size(), 1u) << json::serialize(r1);
  EXPECT_EQ(r1.at("snapshot").at("scans").at(0).at("startTime"), "2023-10-13T13:42:53.732Z");
  EXPECT_EQ(r1.at("findings").at(0), "1 threat");
  EXPECT_EQ(r1.at("snapshot").at("health").at("healthy"), true);
  const auto& r2 = by_node.at(agents_[1]->node());
  EXPECT_EQ(r2.at("state"), "timeout") << json::serialize(r2);
  EXPECT_NE(std::string(r2.at("reason").as_string()).find("timed out after 60 s (exit code 252"),
            std::string::npos);
  EXPECT_EQ(by_node.at(agents_[2]->node()).at("state"), "ok");
  EXPECT_EQ(by_node.at("off01").at("state"), "skipped");
  EXPECT_NE(std::string(by_node.at("off01").at("reason").as_string()).find("powerState Off"),
            std::string::npos);
  // The SAS URL is a secret: nowhere in what the CLI prints.
  EXPECT_EQ(r.out.find("sig="), std::string::npos);
  EXPECT_EQ(r.err.find("sig="), std::string::npos) << r.err;
  auto log = testing::read_file(arm_.log());
  EXPECT_NE(log.find("/runDataExtractsRestricted?api-version=2026-07-01"), std::string::npos) << log;
  EXPECT_NE(log.find("GET /redirect/bmm-run-command-output/"), std::string::npos)
      << "the redirect was followed:\n"
      << log;
  EXPECT_EQ(log.find("bareMetalMachines/off01/runDataExtracts"), std::string::npos)
      << "nothing ran on the powered-off machine";
}

TEST_F(ArmCli, ExtractExplainsAStorageFirewall) {
  start_arm(world({{"blobForbidden", true}, {"apiVersions", json::array{"2024-07-01"}}}));
  auto r = cli({"extract", "--api-version", "2024-07-01", "-o", "json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  auto log = testing::read_file(arm_.log());
  EXPECT_NE(log.find("/runDataExtracts?api-version=2024-07-01"), std::string::npos)
      << "the plain action before 2025-07-01:\n"
      << log;
  auto doc = json::parse(r.out);
  for (const auto& n : doc.at("nodes").as_array()) {
    EXPECT_EQ(n.at("state"), "http-error") << json::serialize(n);
    std::string reason(n.at("reason").as_string());
    EXPECT_NE(reason.find("storage answered 403"), std::string::npos) << reason;
    EXPECT_NE(reason.find("firewall"), std::string::npos) << reason;
    EXPECT_EQ(reason.find("sig="), std::string::npos) << reason;
  }
  auto bad_limit = cli({"extract", "--limit-time-seconds", "30"});
  EXPECT_EQ(bad_limit.exit_code, 3) << bad_limit.err;
  EXPECT_NE(bad_limit.err.find("--limit-time-seconds"), std::string::npos) << bad_limit.err;
}

TEST_F(ArmCli, EnforcementShowAndSetThroughTheLongRunningOperation) {
  start_arm(world({{"faults", json::object{{"throttle", 2}, {"serverErrors", 1}}}}));
  auto shown = cli({"enforcement", "show", "-o", "json"});
  EXPECT_EQ(shown.exit_code, 0) << shown.out << shown.err;  // retried past two 429s and a 500
  auto doc = json::parse(shown.out);
  EXPECT_EQ(doc.at("cluster").at("enforcementLevel"), nullptr) << "never set";
  EXPECT_EQ(doc.at("cluster").at("desired"), "Disabled");
  EXPECT_EQ(doc.at("nodes").as_array().size(), 3u);

  auto set = cli({"enforcement", "set", "realtime", "--definition-update-mode", "Automatic", "-o", "json"});
  EXPECT_EQ(set.exit_code, 0) << set.out << set.err;
  auto result = json::parse(set.out);
  EXPECT_EQ(result.at("operationStatus"), "Succeeded");
  EXPECT_EQ(result.at("after").at("enforcementLevel"), "RealTime");
  EXPECT_EQ(result.at("after").at("definitionUpdateMode"), "Automatic");
  auto log = testing::read_file(arm_.log());
  EXPECT_NE(log.find("PATCH "
                     "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.NetworkCloud/clusters/"
                     "nexus-1?api-version=2026-07-01"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("operationStatuses/op-1"), std::string::npos) << "the operation was polled:\n" << log;
  // The platform configured every node's MDE accordingly.
  for (const auto& a : agents_) {
    auto state = json::parse(testing::read_file(a->dir() / "fake" / "fake-mdatp-state" / "state.json"));
    EXPECT_EQ(state.at("enforcementLevel"), "real_time") << a->node();
  }
  // With agent credentials, each node's level is its agent's reading of mdatp.
  auto via_agents = cli_with_agents({"enforcement", "show", "-o", "json"});
  EXPECT_EQ(via_agents.exit_code, 0) << via_agents.out << via_agents.err;
  auto agents_doc = json::parse(via_agents.out);
  for (const auto& n : agents_doc.at("nodes").as_array()) {
    EXPECT_EQ(n.at("source"), "agent") << json::serialize(n);
    EXPECT_EQ(n.at("reported"), "RealTime") << json::serialize(n);
  }
  auto table = cli({"enforcement", "show"});
  EXPECT_EQ(table.exit_code, 0) << table.out << table.err;
  EXPECT_NE(table.out.find("Cluster nexus-1: RealTime, definition updates Automatic"), std::string::npos)
      << table.out;

  // Another writer between our read and our PATCH: If-Match makes ARM refuse (412), nothing lost.
  start_arm(world({{"enforcementLevel", "OnDemand"}, {"faults", json::object{{"concurrentWriter", true}}}}));
  auto lost = cli({"enforcement", "set", "Passive"});
  EXPECT_EQ(lost.exit_code, 2) << lost.out << lost.err;
  EXPECT_NE(lost.err.find("PreconditionFailed"), std::string::npos) << lost.err;
  EXPECT_NE(lost.err.find("the cluster changed since it was read"), std::string::npos) << lost.err;
  EXPECT_NE(testing::read_file(arm_.log()).find("PATCH"), std::string::npos);
  auto unchanged = cli({"enforcement", "show", "-o", "json"});
  EXPECT_EQ(json::parse(unchanged.out).at("cluster").at("enforcementLevel"), "OnDemand") << unchanged.out;
  // --if-match: the etag the operator saw; a stale one is refused, the current one accepted.
  start_arm(world({{"enforcementLevel", "OnDemand"}}));
  auto seen = json::parse(cli({"enforcement", "show", "-o", "json"}).out);
  std::string etag(seen.at("cluster").at("etag").as_string());
  auto stale = cli({"enforcement", "set", "Passive", "--if-match", "\"etag-0\""});
  EXPECT_EQ(stale.exit_code, 2) << stale.err;
  EXPECT_NE(stale.err.find("PreconditionFailed"), std::string::npos) << stale.err;
  auto current = cli({"enforcement", "set", "Passive", "--if-match", etag});
  EXPECT_EQ(current.exit_code, 0) << current.out << current.err;

  auto bad_level = cli({"enforcement", "set", "Sometimes"});
  EXPECT_EQ(bad_level.exit_code, 3);
  EXPECT_NE(bad_level.err.find("RealTime"), std::string::npos) << bad_level.err;
}

TEST_F(ArmCli, EnforcementSetWaitsForEveryNodeOrNamesTheLaggards) {
  auto w = world();
  auto& nodes = w["nodes"].as_array();
  nodes[0].as_object()["applyDelayMilliseconds"] = 2500;  // reports the new level a while later
  start_arm(w);
  auto begun = std::chrono::steady_clock::now();
  auto waited = cli({"enforcement", "set", "OnDemand", "--wait", "--deadline", "30"});
  EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  EXPECT_GE(std::chrono::steady_clock::now() - begun, 2s) << "it waited for the slow node";
  EXPECT_NE(waited.err.find("waiting for 1 of 3 nodes to report OnDemand"), std::string::npos) << waited.err;
  EXPECT_NE(waited.err.find("every node reports OnDemand"), std::string::npos) << waited.err;

  nodes[0].as_object().erase("applyDelayMilliseconds");
  nodes[1].as_object()["stuck"] = true;  // never takes a new level
  start_arm(w);
  auto stuck = cli({"enforcement", "set", "Passive", "--wait", "--deadline", "5"});
  EXPECT_EQ(stuck.exit_code, 4) << stuck.out << stuck.err;
  EXPECT_NE(stuck.err.find("1 node(s) not reporting Passive: " + agents_[1]->node()), std::string::npos)
      << stuck.err;
}

TEST_F(ArmCli, ScanThroughArmWaitsForEveryMachinesScan) {
  auto w = world();
  auto& nodes = w["nodes"].as_array();
  // At level Disabled (never set) a scan cannot be triggered: refused before anything is posted.
  start_arm(w);
  auto refused = cli({"scan", "--wait"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("enforcement level is Disabled (never set)"), std::string::npos) << refused.err;
  EXPECT_EQ(testing::read_file(arm_.log()).find("scanRuntime"), std::string::npos);

  w["enforcementLevel"] = "OnDemand";
  nodes[2].as_object()["scanMilliseconds"] = 2500;
  start_arm(w);
  auto scanned = cli({"scan", "--wait", "-o", "json", "--deadline", "30"});
  EXPECT_EQ(scanned.exit_code, 0) << scanned.out << scanned.err;
  auto doc = json::parse(scanned.out);
  EXPECT_EQ(doc.at("operationStatus"), "Succeeded");
  for (const auto& n : doc.at("nodes").as_array())
    EXPECT_EQ(n.at("state"), "completed") << json::serialize(n);
  EXPECT_NE(scanned.err.find("waiting for 1 of 3 nodes to complete their scan"), std::string::npos)
      << scanned.err;
  auto log = testing::read_file(arm_.log());
  EXPECT_NE(log.find("POST "
                     "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.NetworkCloud/clusters/"
                     "nexus-1/scanRuntime"),
            std::string::npos)
      << log;
  // The platform's scan is in each node's mdatp history (which its agent serves).
  auto triggered = parse_rfc3339(std::string(doc.at("triggeredAt").as_string()));
  ASSERT_TRUE(triggered);
  for (const auto& a : agents_) {
    auto state = json::parse(testing::read_file(a->dir() / "fake" / "fake-mdatp-state" / "state.json"));
    const auto& scans = state.at("scans").as_array();
    ASSERT_FALSE(scans.empty()) << a->node();
    EXPECT_GE(scans.back().at("startTime").to_number<std::int64_t>(), *triggered) << a->node();
    EXPECT_EQ(scans.back().at("state"), "succeeded") << a->node();
  }

  // With agent credentials each node's own record of the scan (its agent, its mdatp history) is
  // preferred: the agents serve fresh snapshots here (maxAgeSeconds 0, reloaded with SIGHUP).
  for (auto& a : agents_) {
    a->config()["mdatp"].as_object()["maxAgeSeconds"] = 0;
    a->write_config();
    a->process().signal(SIGHUP);
  }
  for (auto& a : agents_) {
    testing::wait_for_text(a->dir() / "agent.log", "configuration and certificates reloaded");
    ASSERT_NE(a->output().find("configuration and certificates reloaded"), std::string::npos) << a->output();
  }
  start_arm(w);
  auto preferred = cli_with_agents({"scan", "--wait", "-o", "json", "--deadline", "30"});
  EXPECT_EQ(preferred.exit_code, 0) << preferred.out << preferred.err;
  auto preferred_doc = json::parse(preferred.out);
  for (const auto& n : preferred_doc.at("nodes").as_array()) {
    EXPECT_EQ(n.at("state"), "completed") << json::serialize(n);
    EXPECT_EQ(n.at("source"), "agent") << json::serialize(n);
    EXPECT_EQ(n.at("scan").at("state"), "succeeded") << json::serialize(n);
    EXPECT_EQ(n.at("scan").at("type"), "quick") << json::serialize(n);
  }

  nodes[1].as_object()["powerState"] = "Off";
  nodes[2].as_object()["stuck"] = true;
  start_arm(w);
  auto partial = cli({"scan", "--wait", "--deadline", "5"});
  EXPECT_EQ(partial.exit_code, 4) << partial.out << partial.err;
  EXPECT_NE(partial.out.find("skipped"), std::string::npos) << partial.out;
  EXPECT_NE(partial.out.find("not started"), std::string::npos) << partial.out;
}

// The ARM commands' -o table and -o tsv: a table with prose for people; for scripts one row per
// machine, tab-separated, with no header and no prose.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

std::size_t tabs_in(const std::string& line) {
  return static_cast<std::size_t>(std::count(line.begin(), line.end(), '\t'));
}

TEST_F(ArmCli, ArmCommandsPrintTablesForPeopleAndRowsForScripts) {
  auto w = world({{"enforcementLevel", "OnDemand"}});
  w["nodes"].as_array()[1].as_object()["powerState"] = "Off";
  start_arm(w);
  auto table = lines_of(cli({"enforcement", "show", "-o", "table"}).out);
  ASSERT_EQ(table.size(), 8u) << joined(table);
  EXPECT_EQ(table[0], "Cluster nexus-1: OnDemand, definition updates None");
  EXPECT_EQ(table[2].rfind("NODE ", 0), 0u) << table[2];
  EXPECT_NE(table[2].find("  READY  POWER  REPORTED  SOURCE  DRIFT"), std::string::npos) << table[2];
  EXPECT_EQ(table[3].rfind(agents_[0]->node() + " ", 0), 0u) << table[3];
  EXPECT_EQ(table[5].rfind(agents_[2]->node() + " ", 0), 0u) << "natural order: " << table[5];
  EXPECT_EQ(table[7].rfind("3 nodes, 0 not at OnDemand", 0), 0u) << table[7];
  auto tsv = lines_of(cli({"enforcement", "show", "-o", "tsv"}).out);
  ASSERT_EQ(tsv.size(), 3u) << joined(tsv);
  EXPECT_EQ(tsv[0].rfind(agents_[0]->node() + "\t", 0), 0u) << tsv[0];
  for (const auto& line : tsv) EXPECT_EQ(tabs_in(line), 5u) << line;

  auto scan_table = lines_of(cli({"scan", "-o", "table"}).out);
  ASSERT_EQ(scan_table.size(), 6u) << joined(scan_table);
  EXPECT_NE(scan_table[0].find("  POWER  READY  SCAN STARTED"), std::string::npos) << scan_table[0];
  // Without --wait the scans have only been asked for.
  EXPECT_EQ(scan_table[5], "3 nodes: 0 reported, 2 not completed, 1 skipped (powered off or not ready)");
  auto scan_tsv = lines_of(cli({"scan", "-o", "tsv"}).out);
  ASSERT_EQ(scan_tsv.size(), 3u) << joined(scan_tsv);
  for (const auto& line : scan_tsv) EXPECT_EQ(tabs_in(line), 7u) << line;
  EXPECT_NE(scan_tsv[1].find("\tskipped\t"), std::string::npos) << scan_tsv[1];

  // A change is one line for people and scripts alike; json is the document alone.
  auto set_tsv = lines_of(cli({"enforcement", "set", "Passive", "-o", "tsv"}).out);
  ASSERT_EQ(set_tsv.size(), 1u) << joined(set_tsv);
  EXPECT_EQ(set_tsv[0].rfind("Cluster nexus-1: enforcement level OnDemand -> Passive", 0), 0u) << set_tsv[0];
}

TEST_F(ArmCli, ApiVersionFallbackFailedOperationsAndTokens) {
  // The service knows only the fallback: the default is replaced once, and says so by working.
  start_arm(world({{"apiVersions", json::array{"2025-09-01"}}}));
  auto fallback = cli({"enforcement", "show", "-o", "json"});
  EXPECT_EQ(fallback.exit_code, 0) << fallback.err;
  EXPECT_NE(testing::read_file(arm_.log()).find("api-version=2025-09-01"), std::string::npos);
  // A version the operator chose is not second-guessed: ARM's error, with the request ids.
  auto chosen = cli({"enforcement", "show", "--api-version", "2099-01-01"});
  EXPECT_EQ(chosen.exit_code, 2);
  EXPECT_NE(chosen.err.find("NoRegisteredProviderFound"), std::string::npos) << chosen.err;
  EXPECT_NE(chosen.err.find("x-ms-request-id req-"), std::string::npos) << chosen.err;
  EXPECT_NE(chosen.err.find("x-ms-correlation-request-id corr-"), std::string::npos) << chosen.err;

  start_arm(world({{"faults", json::object{{"failPatch", true}}}}));
  auto failed = cli({"enforcement", "set", "OnDemand"});
  EXPECT_EQ(failed.exit_code, 2) << failed.out << failed.err;
  EXPECT_NE(failed.err.find("ended Failed (RuntimeProtectionUpdateFailed"), std::string::npos) << failed.err;

  auto wrong = cli({"enforcement", "show"}, {"NEXUS_MDE_ARM_TOKEN=not-the-token"});
  EXPECT_EQ(wrong.exit_code, 3) << wrong.err;
  EXPECT_NE(wrong.err.find("InvalidAuthenticationToken"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("az login"), std::string::npos) << wrong.err;
  // {"exp":1000000000}: a JWT that expired in 2001.
  auto expired =
      cli({"enforcement", "show"}, {"NEXUS_MDE_ARM_TOKEN=eyJhbGciOiJub25lIn0.eyJleHAiOjEwMDAwMDAwMDB9.x"});
  EXPECT_EQ(expired.exit_code, 3);
  EXPECT_NE(expired.err.find("expired at 2001-09-09T01:46:40.000Z"), std::string::npos) << expired.err;
  // No token anywhere and no az on PATH.
  auto none = cli({"enforcement", "show"}, {"NEXUS_MDE_ARM_TOKEN="});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.err.find("az login"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.find(kToken), std::string::npos) << "a token is never printed";
}

// ARM throttling with a Retry-After past --deadline is reported at once, in ARM's words and with
// its request id: not slept through until only "the overall deadline passed" is left to say.
TEST_F(ArmCli, ThrottlingPastTheDeadlineIsReportedInArmsWords) {
  start_arm(world({{"faults", json::object{{"throttle", 1000}, {"retryAfterSeconds", 999999}}}}));
  for (const char* command : {"enforcement show", "status"}) {
    std::vector<std::string> args;
    if (std::string(command) == "status") {
      args = {"status", "--deadline", "30"};
      auto creds = agent_credentials();
      args.insert(args.end(), creds.begin(), creds.end());
    } else {
      args = {"enforcement", "show", "--deadline", "30"};
    }
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 2) << command << ": ARM did not answer, which is not the operator's mistake\n"
                              << r.err;
    EXPECT_NE(r.err.find("ARM answered HTTP 429 TooManyRequests: The request is being throttled."),
              std::string::npos)
        << command << ": " << r.err;
    EXPECT_NE(r.err.find("(x-ms-request-id req-"), std::string::npos) << command << ": " << r.err;
    EXPECT_NE(r.err.find("asked to try again in 300 s, later than --deadline allows"), std::string::npos)
        << command << ": " << r.err;
    EXPECT_EQ(r.err.find("overall deadline"), std::string::npos) << command << ": " << r.err;
  }
}

}  // namespace
}  // namespace nexus_mde

namespace nexus_mde {
namespace {

// Every api-version the client may pick, each served in its own shape (fake-arm's shape_*: what
// the spec's examples and TypeSpec @added decorators say that version has). What a version does
// not report is unknown: never drift, never a finding, never a non-zero exit by itself.
class ArmVersionMatrix : public ArmCli, public ::testing::WithParamInterface<const char*> {};

TEST_P(ArmVersionMatrix, EnforcementStatusAndScanReadEachVersionRight) {
  const std::string version = GetParam();
  const bool per_machine_level = version >= std::string("2026-01-01");
  json::object overrides;
  overrides["apiVersions"] = json::array{json::string(version)};
  overrides["enforcementLevel"] = "RealTime";
  start_arm(world(overrides));
  auto cli_at = [&](std::vector<std::string> args, bool with_agents = false) {
    args.insert(args.end(), {"--api-version", version});
    return with_agents ? cli_with_agents(args) : cli(args);
  };

  // The emulator's answer has the keys of that version's fixture (read with curl, independently),
  // but for the scan times, which a machine that has not scanned yet does not have.
  auto keys = [](const json::object& o) {
    std::vector<std::string> k;
    for (const auto& kv : o) {
      if (kv.key() != "scanStartedTime" && kv.key() != "scanCompletedTime") k.emplace_back(kv.key());
    }
    std::sort(k.begin(), k.end());
    return k;
  };
  ProcessOptions curl_options;
  curl_options.timeout = 30s;
  auto listed = run_process(
      {"curl", "-sS", "--cacert", arm_.ca().cert.string(), "-H", "Authorization: Bearer " + kToken,
       arm_.endpoint() +
           "/subscriptions/sub-1/resourceGroups/nexus-1-mrg/providers/Microsoft.NetworkCloud/"
           "bareMetalMachines?api-version=" +
           version},
      curl_options);
  ASSERT_TRUE(listed.ok() && listed->exit_code == 0) << (listed ? listed->err : listed.error().describe());
  auto fixture = json::parse(testing::read_format_fixture("formats/arm/" + version + "-machine.json"));
  EXPECT_EQ(keys(json::parse(listed->out)
                     .at("value")
                     .at(0)
                     .at("properties")
                     .at("runtimeProtectionStatus")
                     .as_object()),
            keys(fixture.at("properties").at("runtimeProtectionStatus").as_object()));

  auto shown = cli_at({"enforcement", "show", "-o", "json"});
  EXPECT_EQ(shown.exit_code, 0) << shown.out << shown.err;
  auto doc = json::parse(shown.out);
  EXPECT_EQ(doc.at("cluster").at("enforcementLevel"), "RealTime");
  if (per_machine_level) {
    EXPECT_EQ(doc.at("cluster").at("definitionUpdateMode"), "None");
  } else {
    EXPECT_TRUE(doc.at("cluster").at("definitionUpdateMode").is_null()) << "not in this version: unknown";
  }
  for (const auto& n : doc.at("nodes").as_array()) {
    EXPECT_EQ(n.at("drift"), per_machine_level ? "in-sync" : "unknown") << json::serialize(n);
    if (!per_machine_level) {
      EXPECT_TRUE(n.at("reported").is_null()) << json::serialize(n);
    }
  }
  EXPECT_EQ(doc.at("summary").at("drifting"), 0);
  EXPECT_EQ(doc.at("summary").at("unknown"), per_machine_level ? 0 : 3);
  auto table = cli_at({"enforcement", "show"});
  EXPECT_EQ(table.exit_code, 0) << table.out;
  if (!per_machine_level) {
    EXPECT_NE(table.out.find("definition updates ?"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("3 nodes, 0 not at RealTime, 3 not reporting a level"), std::string::npos)
        << table.out;
  }
  // The agents know their level at every version.
  auto via_agents = cli_at({"enforcement", "show", "-o", "json"}, true);
  EXPECT_EQ(via_agents.exit_code, 0) << via_agents.out << via_agents.err;
  auto agents_doc = json::parse(via_agents.out);
  for (const auto& n : agents_doc.at("nodes").as_array())
    EXPECT_EQ(n.at("drift"), "in-sync") << json::serialize(n);

  // status --cluster with one agent down: that node shows ARM's view, which at 2025-09-01 has no
  // health or licence verdict: unknown, not a finding.
  agents_.back()->stop_hard();
  auto status = cli_at({"status", "-o", "json"}, true);
  EXPECT_EQ(status.exit_code, 2) << "a node not reached, nothing found\n" << status.out << status.err;
  auto nodes = testing::nodes_by_name(status.out);
  const json::object& down = nodes[agents_.back()->node()];
  EXPECT_EQ(down.at("state"), "unreachable") << json::serialize(down);
  EXPECT_EQ(down.at("source"), "arm");
  EXPECT_TRUE(down.at("findings").as_array().empty()) << json::serialize(down);
  const auto& health = down.at("snapshot").at("health");
  if (!per_machine_level) {
    EXPECT_TRUE(health.at("healthy").is_null()) << json::serialize(health);
    EXPECT_TRUE(health.at("licensed").is_null()) << json::serialize(health);
    EXPECT_TRUE(down.at("snapshot").at("enforcement").at("level").is_null());
  } else {
    EXPECT_EQ(health.at("healthy"), true);
  }
  EXPECT_EQ(health.at("definitionsVersion"), "1.395.227.0");

  // A platform scan, followed through ARM's scan times (which every version has).
  auto scanned = cli_at({"scan", "--wait", "-o", "json", "--deadline", "30"});
  EXPECT_EQ(scanned.exit_code, 0) << scanned.out << scanned.err;
  auto scan_doc = json::parse(scanned.out);
  for (const auto& n : scan_doc.at("nodes").as_array())
    EXPECT_EQ(n.at("state"), "completed") << json::serialize(n);

  // Setting the level works at every version; definitionUpdateMode only where it exists.
  auto set = cli_at({"enforcement", "set", "OnDemand", "--wait", "--deadline", "60"});
  if (per_machine_level) {
    EXPECT_EQ(set.exit_code, 0) << set.out << set.err;
  } else {
    EXPECT_EQ(set.exit_code, 2) << "set, but no node can confirm it\n" << set.out << set.err;
    EXPECT_NE(set.err.find("3 node(s) report no enforcement level at api-version 2025-09-01"),
              std::string::npos)
        << set.err;
    EXPECT_NE(set.out.find("-> OnDemand"), std::string::npos) << set.out;
  }
  auto mode = cli_at({"enforcement", "set", "OnDemand", "--definition-update-mode", "Automatic"});
  if (per_machine_level) {
    EXPECT_EQ(mode.exit_code, 0) << mode.err;
  } else {
    EXPECT_EQ(mode.exit_code, 2) << mode.err;
    EXPECT_NE(mode.err.find("definitionUpdateMode"), std::string::npos) << mode.err;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryApiVersion, ArmVersionMatrix,
                         ::testing::Values("2025-09-01", "2026-07-01", "2026-10-01"),
                         [](const ::testing::TestParamInfo<const char*>& version) {
                           std::string name = version.param;
                           std::erase(name, '-');
                           return "v" + name;
                         });

}  // namespace
}  // namespace nexus_mde
