// The collector against the mdatp double, in each state and fault.
#include "agent/mdatp/collector.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>

#include <boost/json.hpp>

#include "tests/support/fixtures.hpp"

namespace nexus_mde::agent {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

// One emulated node: <dir>/bin/mdatp -> fake-mdatp, state in <dir>/bin/fake-mdatp-state.
class Collector : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "bin" / "fake-mdatp-state");
    fs::create_symlink(fs::path(NEXUS_MDE_BINARY_DIR) / "tests" / "fakes" / "fake-mdatp",
                       dir_ / "bin" / "mdatp");
    options_.node = "rack1compute03";
    options_.mdatp_path = (dir_ / "bin" / "mdatp").string();
    options_.timeout = 5s;
  }
  void set_state(const json::value& state) {
    testing::write_file(dir_ / "bin" / "fake-mdatp-state" / "state.json", json::serialize(state));
  }
  bool has_error(const NodeSnapshot& s, const std::string& source, const std::string& fragment) {
    for (const auto& e : s.errors) {
      if (e.source == source && e.message.find(fragment) != std::string::npos) return true;
    }
    return false;
  }

  testing::ScratchDir dir_;
  CollectorOptions options_;
};

TEST_F(Collector, HealthyRealTimeNode) {
  json::array scans{json::object{{"type", "quick"},
                                 {"state", "succeeded"},
                                 {"startTime", 1697204573732},
                                 {"endTime", 1697204632487},
                                 {"filesScanned", 1750},
                                 {"threats", json::array{}}}};
  json::object state{{"enforcementLevel", "real_time"}, {"definitionsAgeMinutes", 90}};
  state["scans"] = scans;
  set_state(state);
  NodeSnapshot s = collect_snapshot(options_);
  EXPECT_TRUE(s.errors.empty()) << s.errors.front().message;
  EXPECT_EQ(s.node, "rack1compute03");
  ASSERT_TRUE(s.health.has_value());
  EXPECT_EQ(s.health->healthy, true);
  EXPECT_EQ(s.health->definitions_updated_minutes_ago, 90);
  EXPECT_EQ(s.health->enforcement_level, "real_time");  // from --details antivirus
  EXPECT_EQ(s.enforcement.level, EnforcementLevel::RealTime);
  EXPECT_TRUE(s.enforcement.consistent);
  ASSERT_EQ(s.scans.size(), 1u);
  EXPECT_EQ(s.scans[0].start_ms, 1697204573732);
  EXPECT_GT(s.collected_at_ms, 0);
}

TEST_F(Collector, PassiveAndUnlicensed) {
  set_state(json::object{{"enforcementLevel", "passive"}, {"licensed", false}});
  NodeSnapshot s = collect_snapshot(options_);
  ASSERT_TRUE(s.health.has_value());
  EXPECT_EQ(s.health->licensed, false);
  EXPECT_EQ(s.enforcement.level, EnforcementLevel::Passive);
}

TEST_F(Collector, ThreatsAndQuarantine) {
  json::object threat{
      {"threat", json::object{{"tracking_id", "t1"},
                              {"name", "Virus:DOS/EICAR_Test_File"},
                              {"type", "virus"},
                              {"path", "/tmp/e"},
                              {"detection_time", 1697217150012}}},
      {"history", json::array{json::object{{"key", 1697217150012}, {"value", "quarantined"}}}}};
  json::object scan{{"type", "quick"},
                    {"state", "succeeded"},
                    {"startTime", 1697217113457},
                    {"endTime", 1697217162904},
                    {"filesScanned", 3}};
  scan["threats"] = json::array{threat};
  json::object state;
  state["scans"] = json::array{scan};
  state["quarantine"] = json::array{json::object{{"threat", threat.at("threat")}}};
  set_state(state);
  NodeSnapshot s = collect_snapshot(options_);
  EXPECT_TRUE(s.errors.empty());
  ASSERT_EQ(s.threats.size(), 1u);
  EXPECT_EQ(s.threats[0].status, "quarantined");
  EXPECT_EQ(s.threats[0].scan_start_ms, 1697217113457);
  EXPECT_EQ(s.quarantine.size(), 1u);
}

TEST_F(Collector, DaemonDownIsDisabledAndStopsEarly) {
  set_state(json::object{{"daemonRunning", false}});
  NodeSnapshot s = collect_snapshot(options_);
  EXPECT_FALSE(s.health.has_value());
  EXPECT_EQ(s.enforcement.level, EnforcementLevel::Disabled);
  ASSERT_EQ(s.errors.size(), 1u);  // the other commands were not run
  EXPECT_TRUE(has_error(s, "health", "Could not connect to the daemon"));
}

TEST_F(Collector, HungMdatpTimesOutPerCommand) {
  set_state(json::object{{"faults", json::object{{"hang", true}, {"commands", json::array{"scan"}}}}});
  options_.timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  NodeSnapshot s = collect_snapshot(options_);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(has_error(s, "scans", "timed out"));
  EXPECT_TRUE(s.health.has_value());  // the rest was still collected
  EXPECT_LT(took, 5s);
}

TEST_F(Collector, CrashAndGarbageAreErrorsNotCrashes) {
  set_state(
      json::object{{"faults", json::object{{"crashSignal", SIGSEGV}, {"commands", json::array{"threat"}}}}});
  NodeSnapshot crashed = collect_snapshot(options_);
  EXPECT_TRUE(has_error(crashed, "threats", "signal 11"));
  EXPECT_TRUE(has_error(crashed, "quarantine", "signal 11"));
  EXPECT_NE(crashed.enforcement.level, EnforcementLevel::Disabled);  // a crash is not "service stopped"

  set_state(json::object{{"faults", json::object{{"garbage", true}, {"commands", json::array{"health"}}}}});
  NodeSnapshot garbage = collect_snapshot(options_);
  EXPECT_FALSE(garbage.health.has_value());
  EXPECT_TRUE(has_error(garbage, "health", "unexpected output"));
  EXPECT_FALSE(garbage.enforcement.level.has_value());
}

TEST_F(Collector, MissingMdatpIsAnError) {
  options_.mdatp_path = (dir_ / "nope" / "mdatp").string();
  NodeSnapshot s = collect_snapshot(options_);
  EXPECT_TRUE(has_error(s, "health", "cannot start"));
}

}  // namespace
}  // namespace nexus_mde::agent
