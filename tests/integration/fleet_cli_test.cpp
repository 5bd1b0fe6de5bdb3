// nexus-mde over a fleet: the ARM emulator serving ten clusters of a hundred machines in two
// subscriptions and four resource groups, one cluster refusing the operator (403) and one
// failing (500). Repeated --cluster reads each cluster, --all-clusters lists each subscription's
// machines (paged); every output names each node's cluster, the clusters ARM could not read are
// reported beside the others' results, and the exit code counts the whole fleet.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "common/sys/text.hpp"
#include "tests/support/agent_harness.hpp"
#include "tests/support/arm_emulator.hpp"
#include "tests/support/cli_runner.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;
using testing::AgentHarness;
using namespace std::chrono_literals;

const std::string kToken = "arm-fleet-token";
constexpr int kClusters = 10;
constexpr int kNodesPerCluster = 100;

std::string cluster_name(int c) { return c < 10 ? "c0" + std::to_string(c) : "c" + std::to_string(c); }
std::string subscription_of(int c) { return c <= 5 ? "sub-a" : "sub-b"; }
std::string group_of(int c) { return "rg-" + std::to_string((c - 1) / 3 + 1); }  // 4 resource groups
std::string cluster_id(int c) {
  return "/subscriptions/" + subscription_of(c) + "/resourceGroups/" + group_of(c) +
         "/providers/Microsoft.NetworkCloud/clusters/" + cluster_name(c);
}

class FleetCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // Real agents for the first machine of c01, c02 and c05; the rest have none (refused).
    for (const char* name : {"r1", "r2", "r10"}) {
      agents_.push_back(std::make_unique<AgentHarness>(name));
      agents_.back()->start({"--log-target", "stderr"});
    }
  }

  // Cluster c: its machines, the first one an agent of ours when `with_agent`.
  json::object cluster_world(int c, const AgentHarness* agent, int nodes) const {
    json::array machines;
    for (int n = 0; n < nodes; ++n) {
      if (n == 0 && agent) {
        machines.push_back(json::object{
            {"name", agent->node()},
            {"address", agent->address()},
            {"mdatpState", (agent->dir() / "fake" / "fake-mdatp-state" / "state.json").string()}});
        continue;
      }
      // Nothing listens there: refused at once, and ARM's view stands in.
      machines.push_back(
          json::object{{"name", cluster_name(c) + "n" + std::to_string(n)},
                       {"address", "127.90." + std::to_string(c) + "." + std::to_string(n + 1)}});
    }
    return {{"subscription", subscription_of(c)},
            {"resourceGroup", group_of(c)},
            {"cluster", cluster_name(c)},
            {"managedResourceGroup", cluster_name(c) + "-mrg"},
            {"nodes", std::move(machines)}};
  }

  const AgentHarness* agent_for(int c) const {
    return c == 1 ? agents_[0].get() : c == 2 ? agents_[1].get() : c == 5 ? agents_[2].get() : nullptr;
  }

  json::object fleet(int clusters, int nodes, json::object extra = {}) const {
    json::array list;
    for (int c = 1; c <= clusters; ++c) list.push_back(cluster_world(c, agent_for(c), nodes));
    json::object w{{"location", "eastus"}, {"token", kToken}, {"pageSize", 150}, {"clusters", list}};
    for (auto& kv : extra) w[kv.key()] = kv.value();
    return w;
  }

  // c03 refuses the operator; c07 answers 500 (Retry-After: 0, so its retries take no time).
  static void break_two(json::object& w) {
    auto& list = w["clusters"].as_array();
    list[2].as_object()["faults"] = json::object{{"status", 403}};
    list[6].as_object()["faults"] = json::object{{"status", 500}, {"retryAfterSeconds", 0}};
  }

  void start_arm(const json::object& w) { ASSERT_TRUE(arm_.start(w)); }

  ProcessResult cli(std::vector<std::string> args) {
    std::string bundle;
    for (const auto& a : agents_) bundle += testing::read_file(a->ca().cert);
    testing::write_file(dir_ / "agents-ca.pem", bundle);
    testing::write_file(dir_ / "token", agents_.front()->tokens().operator_);
    std::vector<std::string> argv{NEXUS_MDE_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--arm-endpoint", arm_.endpoint(), "--arm-ca-file", arm_.ca().cert.string(),
                             "--ca-file", (dir_ / "agents-ca.pem").string(), "--token-file",
                             (dir_ / "token").string(), "--deadline", "120"});
    ProcessOptions o;
    o.timeout = 300s;
    o.environment = {"PATH=/nonexistent", "HOME=/nonexistent", "NEXUS_MDE_ARM_TOKEN=" + kToken};
    auto r = run_process(argv, o);
    if (!r) throw std::runtime_error(r.error().describe());
    return std::move(*r);
  }

  static std::vector<std::string> every_cluster_flag(int clusters) {
    std::vector<std::string> flags;
    for (int c = 1; c <= clusters; ++c) flags.insert(flags.end(), {"--cluster", cluster_id(c)});
    return flags;
  }

  testing::ScratchDir dir_;
  testing::TestPki pki_{dir_.path()};
  std::vector<std::unique_ptr<AgentHarness>> agents_;
  testing::ArmEmulator arm_{dir_.path(), pki_, 21000};
};

const json::object& cluster_named(const json::value& doc, const std::string& name) {
  for (const auto& c : doc.at("clusters").as_array()) {
    if (c.at("cluster") == name.c_str()) return c.as_object();
  }
  throw std::runtime_error("no cluster " + name + " in " + json::serialize(doc));
}

TEST_F(FleetCli, TenClustersOfAHundredNodesWithOneForbiddenAndOneFailing) {
  json::object w = fleet(kClusters, kNodesPerCluster);
  break_two(w);
  start_arm(w);
  auto args = every_cluster_flag(kClusters);
  args.insert(args.begin(), {"status", "-o", "json"});
  auto r = cli(args);
  auto doc = json::parse(r.out);
  ASSERT_FALSE(doc.as_object().contains("nodes")) << "a fleet's nodes are grouped by cluster";
  const auto& clusters = doc.at("clusters").as_array();
  ASSERT_EQ(clusters.size(), 10u) << r.out.substr(0, 2000);
  for (int c = 1; c <= kClusters; ++c) {
    const auto& group = cluster_named(doc, cluster_name(c));
    EXPECT_EQ(group.at("subscription"), subscription_of(c).c_str());
    EXPECT_EQ(group.at("resourceGroup"), group_of(c).c_str());
    if (c == 3 || c == 7) continue;
    EXPECT_TRUE(group.at("error").is_null()) << json::serialize(group.at("error"));
    const auto& nodes = group.at("nodes").as_array();
    EXPECT_EQ(nodes.size(), 100u) << cluster_name(c);
    EXPECT_EQ(group.at("summary").at("nodes"), 100);
  }
  // The forbidden and failing clusters: ARM's own words, no nodes, and the others still answered.
  const auto& forbidden = cluster_named(doc, "c03");
  EXPECT_NE(std::string(forbidden.at("error").as_string()).find("HTTP 403 AuthorizationFailed"),
            std::string::npos)
      << json::serialize(forbidden);
  EXPECT_TRUE(forbidden.at("nodes").as_array().empty());
  const auto& failing = cluster_named(doc, "c07");
  EXPECT_NE(std::string(failing.at("error").as_string()).find("HTTP 500"), std::string::npos)
      << json::serialize(failing);
  EXPECT_TRUE(failing.at("nodes").as_array().empty());
  EXPECT_NE(r.err.find("c03 not read: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("c07 not read: "), std::string::npos) << r.err;
  // Our agents answered in their own clusters; the machines without one show ARM's view.
  for (auto [c, agent] : {std::pair{1, 0}, std::pair{2, 1}, std::pair{5, 2}}) {
    const auto& first = cluster_named(doc, cluster_name(c)).at("nodes").as_array();
    bool found = false;
    for (const auto& n : first) {
      if (n.at("node") != agents_[agent]->node().c_str()) continue;
      found = true;
      EXPECT_EQ(n.at("state"), "ok") << json::serialize(n);
      EXPECT_EQ(n.at("source"), "agent");
    }
    EXPECT_TRUE(found) << cluster_name(c);
  }
  const auto& other = cluster_named(doc, "c04").at("nodes").as_array().front();
  EXPECT_EQ(other.at("state"), "unreachable") << json::serialize(other);
  EXPECT_EQ(other.at("source"), "arm");
  // The whole fleet: 800 nodes of 8 clusters read, 2 not read; ARM's stale template definitions
  // are findings, which outrank the incomplete fleet.
  const auto& summary = doc.at("summary");
  EXPECT_EQ(summary.at("nodes"), 800);
  EXPECT_EQ(summary.at("clusters"), 8);
  EXPECT_EQ(summary.at("clustersNotRead"), 2);
  EXPECT_EQ(summary.at("exitCode"), r.exit_code);
  EXPECT_EQ(r.exit_code, summary.at("withFindings").as_int64() > 0 ? 1 : 2) << r.err;
}

TEST_F(FleetCli, TablesAndTsvNameEachNodesClusterAndTheClustersNotRead) {
  json::object w = fleet(3, 3);
  w["clusters"].as_array()[2].as_object()["faults"] = json::object{{"status", 403}};
  start_arm(w);
  auto args = every_cluster_flag(3);
  args.insert(args.begin(), {"nodes", "--no-color"});
  auto table = cli(args);
  EXPECT_EQ(table.exit_code, 2) << table.out << table.err;
  EXPECT_EQ(table.out.rfind("CLUSTER", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("\nc01      " + agents_[0]->node() + " "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Clusters not read:"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("c03"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("6 nodes in 2 clusters (1 not read):"), std::string::npos) << table.out;

  args[1] = "-o";
  args.insert(args.begin() + 2, "tsv");
  auto tsv = cli(args);
  std::set<std::string> first_fields;
  std::size_t at = 0;
  while (at < tsv.out.size()) {
    auto end = tsv.out.find('\n', at);
    first_fields.insert(tsv.out.substr(at, tsv.out.find('\t', at) - at));
    at = end == std::string::npos ? tsv.out.size() : end + 1;
  }
  EXPECT_EQ(first_fields, (std::set<std::string>{"c01", "c02"})) << tsv.out;
}

TEST_F(FleetCli, AFleetOfCleanAgentsWithOneClusterNotReadExitsIncomplete) {
  json::object w = fleet(3, 1);
  w["clusters"].as_array()[2].as_object()["faults"] = json::object{{"status", 403}};
  start_arm(w);
  auto args = every_cluster_flag(3);
  args.insert(args.begin(), {"status", "-o", "json"});
  auto r = cli(args);
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("summary").at("withFindings"), 0) << r.out;
  EXPECT_EQ(doc.at("summary").at("states").at("ok"), 2) << r.out;
  EXPECT_EQ(r.exit_code, 2) << "one cluster not read, the rest clean: " << r.err;
  EXPECT_EQ(cluster_named(doc, "c03").at("summary").at("exitCode"), 2);
  EXPECT_EQ(cluster_named(doc, "c01").at("summary").at("exitCode"), 0);
}

// The emulator lists a subscription's machines in the shape of a resource group's list: the public
// examples of both operations (same api-version) have the same members.
TEST(FleetFixtures, ListBySubscriptionHasTheMachineShapeOfListByResourceGroup) {
  auto machine = [](const char* file) {
    auto doc = json::parse(testing::read_file(std::string(NEXUS_MDE_FIXTURES) + "/networkcloud/" + file));
    const auto& m = doc.at("responses").at("200").at("body").at("value").at(0).as_object();
    std::set<std::string> keys;
    for (const auto& kv : m) keys.insert(std::string(kv.key()));
    for (const auto& kv : m.at("properties").as_object()) keys.insert("properties." + std::string(kv.key()));
    return keys;
  };
  auto by_subscription = machine("stable-2024-07-01_BareMetalMachines_ListBySubscription.json");
  EXPECT_TRUE(by_subscription.count("properties.clusterId"));
  EXPECT_EQ(by_subscription, machine("stable-2024-07-01_BareMetalMachines_ListByResourceGroup.json"));
}

TEST_F(FleetCli, AllClustersListsEachSubscriptionPagedAndGroupsByCluster) {
  json::object w = fleet(kClusters, kNodesPerCluster);
  break_two(w);  // per-cluster faults do not touch the subscription's list
  start_arm(w);
  auto r =
      cli({"status", "-o", "json", "--all-clusters", "--subscription", "sub-a", "--subscription", "sub-b"});
  auto doc = json::parse(r.out);
  const auto& clusters = doc.at("clusters").as_array();
  ASSERT_EQ(clusters.size(), 10u) << r.err;
  for (int c = 1; c <= kClusters; ++c) {
    const auto& group = cluster_named(doc, cluster_name(c));
    EXPECT_EQ(group.at("nodes").as_array().size(), 100u) << cluster_name(c);
    // As ARM spells it in each machine's clusterId (the emulator lower-cases ids now and then).
    EXPECT_TRUE(iequals(group.at("id").as_string(), cluster_id(c))) << group.at("id");
  }
  EXPECT_EQ(doc.at("summary").at("nodes"), 1000);
  auto log = testing::read_file(arm_.log());
  for (const char* page :
       {"/subscriptions/sub-a/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=",
        "/subscriptions/sub-b/providers/Microsoft.NetworkCloud/bareMetalMachines?api-version=",
        "&%24skipToken=450"}) {
    EXPECT_NE(log.find(page), std::string::npos) << page << "\n" << log.substr(0, 3000);
  }

  // A subscription the operator may not list is reported; the other's clusters still answer.
  w["subscriptionFaults"] = json::object{{"sub-b", 403}};
  start_arm(w);
  r = cli({"status", "-o", "json", "--all-clusters", "--subscription", "sub-a,sub-b"});
  doc = json::parse(r.out);
  ASSERT_EQ(doc.at("clusters").as_array().size(), 6u) << r.out.substr(0, 2000);
  const auto& refused = doc.at("clusters").as_array().back();
  EXPECT_TRUE(refused.at("cluster").is_null());
  EXPECT_EQ(refused.at("subscription"), "sub-b");
  EXPECT_NE(std::string(refused.at("error").as_string()).find("403"), std::string::npos);
  EXPECT_NE(r.err.find("subscription sub-b not read"), std::string::npos) << r.err;
  EXPECT_EQ(doc.at("summary").at("nodes"), 500);
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(FleetCli, TargetsForTheFleetCarryClusterLabelsAndKeepTheFileWhenAClusterIsMissing) {
  json::object w = fleet(kClusters, kNodesPerCluster);
  start_arm(w);
  auto r = cli({"targets", "--all-clusters", "--subscription", "sub-a,sub-b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto targets = json::parse(r.out).as_array();
  ASSERT_EQ(targets.size(), 1000u);
  std::map<std::string, int> per_cluster;
  for (const auto& t : targets) ++per_cluster[std::string(t.at("labels").at("cluster").as_string())];
  EXPECT_EQ(per_cluster.size(), 10u);
  EXPECT_EQ(per_cluster["c07"], 100);

  testing::write_file(dir_ / "targets.json", "[]\n");
  w["subscriptionFaults"] = json::object{{"sub-b", 403}};
  start_arm(w);
  r = cli({"targets", "--all-clusters", "--subscription", "sub-a,sub-b", "--write",
           (dir_ / "targets.json").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("left as it was"), std::string::npos) << r.err;
  EXPECT_EQ(testing::read_file(dir_ / "targets.json"), "[]\n");
}

TEST_F(FleetCli, FleetFlagsThatCannotWorkAreUsageErrors) {
  json::object w = fleet(2, 1);
  start_arm(w);
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases{
      {{"status", "--cluster", "c01", "--cluster", "c02", "-g", "rg-1", "--subscription", "sub-a,sub-b"},
       "--cluster c01: with several --subscription, name the cluster by its ARM id"},
      {{"status", "--all-clusters"}, "--all-clusters: needs the subscription(s)"},
      {{"status", "--all-clusters", "--subscription", "sub-empty"},
       "--all-clusters: ARM lists no bare-metal machine with an address for any cluster"},
      {{"status", "--cluster", "c01", "--cluster", "rg-1/c01", "-g", "rg-1", "--subscription", "sub-a"},
       "--cluster rg-1/c01: names a cluster already named"},
      {{"status", "--cluster", "/subscriptions/sub-a/resourceGroups/rg-1/providers/Other/clusters/c01"},
       "must be NAME, RG/NAME or the cluster's ARM id"},
      {{"enforcement", "show", "--cluster", cluster_id(1), "--cluster", cluster_id(2)},
       "--cluster: this command acts on one cluster"},
      {{"enforcement", "show", "--all-clusters", "--subscription", "sub-a"},
       "--all-clusters: this command acts on one cluster"},
  };
  for (const auto& c : cases) {
    auto r = cli(c.args);
    EXPECT_EQ(r.exit_code, 3) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  // --all-clusters wins over --cluster (kubectl's -A over -n): a default cluster is no obstacle.
  auto all = cli({"nodes", "-o", "json", "--all-clusters", "--cluster", "c01", "--subscription", "sub-a"});
  ASSERT_FALSE(all.out.empty()) << all.err;
  EXPECT_EQ(json::parse(all.out).at("clusters").as_array().size(), 2u) << all.out << all.err;
  // Cluster names are unique only within a resource group: repeated ones are shown as RG/NAME.
  json::object twins = fleet(4, 1);
  twins["clusters"].as_array()[3].as_object()["cluster"] = "c01";  // c04's place, in rg-2
  start_arm(twins);
  auto both = cli({"nodes", "-o", "json", "--all-clusters", "--subscription", "sub-a"});
  ASSERT_FALSE(both.out.empty()) << both.err;
  std::map<std::string, std::size_t> nodes_of;
  auto both_doc = json::parse(both.out);
  for (const auto& c : both_doc.at("clusters").as_array())
    nodes_of[std::string(c.at("cluster").as_string())] = c.at("nodes").as_array().size();
  EXPECT_EQ(nodes_of,
            (std::map<std::string, std::size_t>{{"rg-1/c01", 1}, {"c02", 1}, {"c03", 1}, {"rg-2/c01", 1}}))
      << both.out;
  start_arm(w);
  // RG/NAME and an ARM id name clusters of different resource groups in one command.
  auto r = cli({"nodes", "-o", "json", "--cluster", "rg-1/c01", "--cluster", cluster_id(2), "--subscription",
                "sub-a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("summary").at("clusters"), 2);
}

}  // namespace
}  // namespace nexus_mde
