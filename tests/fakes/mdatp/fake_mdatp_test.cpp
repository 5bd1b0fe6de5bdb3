// Golden tests: the double's output for a state equal to a reference sample parses to the same
// model as the sample itself. Behaviour tests: every state knob and fault the tests rely on.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>

#include <boost/json.hpp>

#include "common/mdatp/eicar.hpp"
#include "common/mdatp/mdatp_parsers.hpp"
#include "common/sys/process.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::read_fixture;

const fs::path kFake = fs::path(NEXUS_MDE_BINARY_DIR) / "tests" / "fakes" / "fake-mdatp";
const std::string& kEicar = nexus_mde::kEicarTestString;

class FakeMdatp : public ::testing::Test {
 protected:
  void set_state(const json::value& state) {
    testing::write_file(dir_ / "state.json", json::serialize(state));
  }
  json::object state() const { return json::parse(testing::read_file(dir_ / "state.json")).as_object(); }

  ProcessResult run(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s) {
    args.insert(args.begin(), kFake.string());
    ProcessOptions o;
    o.timeout = timeout;
    o.environment = {"FAKE_MDATP_STATE=" + dir_.path().string()};
    auto r = run_process(args, o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProcessResult{};
  }

  static std::string wire(const Health& h) { return json::serialize(json::value_from(h)); }
  static std::string wire(const std::vector<ScanRecord>& s) { return json::serialize(json::value_from(s)); }

  testing::ScratchDir dir_;
};

// A health JSON sample with its setting wrappers removed: the plain values the state holds.
json::object unwrap(const json::object& sample) {
  json::object out;
  for (const auto& kv : sample) {
    const json::value& v = kv.value();
    if (v.is_object() && v.get_object().contains("isManaged")) {
      out[kv.key()] = v.at("value");
    } else if (kv.key() == "definitionsStatus") {
      out[kv.key()] = "up_to_date";
    } else {
      out[kv.key()] = v;
    }
  }
  return out;
}

TEST_F(FakeMdatp, GoldenHealthJson) {
  std::string sample = read_fixture("mdatp/health-linux-101.23062.0010.json");
  set_state(json::object{{"health", unwrap(json::parse(sample).as_object())}});
  auto r = run({"health", "--output", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto from_fake = parse_health_output(r.out);
  auto from_sample = parse_health_output(sample);
  ASSERT_TRUE(from_fake.ok()) << from_fake.error().describe();
  EXPECT_EQ(wire(*from_fake), wire(*from_sample));
}

TEST_F(FakeMdatp, GoldenHealthText) {
  for (const char* name :
       {"mdatp/health-linux-101.23082.0006-healthy.txt", "mdatp/health-details-definitions-linux.txt",
        "mdatp/health-macos-101.70.19-docs.txt"}) {
    std::string sample = read_fixture(name);
    auto fields = parse_mdatp_key_values(sample);
    ASSERT_TRUE(fields.ok());
    json::object health;
    json::array managed;
    for (const auto& kv : *fields) {
      const json::value& v = kv.value();
      bool wrapped = v.is_object() && v.get_object().contains("isManaged");
      if (wrapped) managed.push_back(json::value(kv.key()));
      health[kv.key()] = wrapped ? v.at("value") : v;
    }
    set_state(json::object{{"health", health}, {"managedSettings", managed}});
    auto r = run({"health"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto from_fake = parse_health_output(r.out);
    ASSERT_TRUE(from_fake.ok()) << name << ": " << from_fake.error().describe();
    EXPECT_EQ(wire(*from_fake), wire(*parse_health_output(sample))) << name;
  }
}

TEST_F(FakeMdatp, GoldenUnlicensedTextIsByteForByte) {
  set_state(json::object{{"licensed", false}, {"engineVersion", "1.1.19800.4"}, {"appVersion", "101.85.27"}});
  auto r = run({"health"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, read_fixture("mdatp/health-linux-101.85.27-unlicensed.txt"));
}

TEST_F(FakeMdatp, GoldenScanAndThreatLists) {
  std::string scan_sample = read_fixture("mdatp/nexus-scanList.json");
  json::array scans;
  const json::value parsed_sample = json::parse(scan_sample);
  for (const auto& s : parsed_sample.as_array()) {
    json::object o = s.as_object();
    for (const char* k : {"startTime", "endTime", "filesScanned"})
      o[k] = std::stoll(std::string(o[k].as_string()));
    scans.push_back(o);
  }
  json::object state;
  state["scans"] = scans;
  state["quarantine"].emplace_array();
  set_state(state);

  auto list = run({"scan", "list", "--output", "json"});
  ASSERT_EQ(list.exit_code, 0);
  EXPECT_EQ(wire(*parse_scan_list_json(list.out)), wire(*parse_scan_list_json(scan_sample)));
  EXPECT_EQ(json::parse(list.out), json::parse(scan_sample));  // same JSON, strings and all

  json::value threat_sample = json::parse(read_fixture("mdatp/nexus-threatInformation.json"));
  auto threats = run({"threat", "list", "--output", "json"});
  ASSERT_EQ(threats.exit_code, 0);
  EXPECT_EQ(json::parse(threats.out), threat_sample.at("list"));
  auto quarantine = run({"threat", "quarantine", "list", "--output", "json"});
  EXPECT_EQ(json::parse(quarantine.out), threat_sample.at("quarantineList"));
}

TEST_F(FakeMdatp, FieldAndDetails) {
  set_state(json::object{{"licensed", false}});
  auto f = run({"health", "--field", "licensed"});
  EXPECT_EQ(f.out, "ATTENTION: No license found. Contact your administrator for help.\nfalse\n");
  EXPECT_EQ(*parse_health_field_output(f.out), false);
  set_state(json::object{{"enforcementLevel", "on_demand"}, {"managed", true}});
  auto rtp = run({"health", "--field", "real_time_protection_enabled"});
  EXPECT_EQ(rtp.out, "false [managed]\n");
  auto av = run({"health", "--details", "antivirus"});
  auto h = parse_health_output(av.out);
  ASSERT_TRUE(h.ok()) << h.error().describe();
  EXPECT_EQ(h->enforcement_level, "on_demand");
  EXPECT_EQ(run({"health", "--field", "no_such_field"}).exit_code, 1);
}

TEST_F(FakeMdatp, EnforcementLevelsShowInHealth) {
  for (const auto& [level, rtp, passive] : std::vector<std::tuple<std::string, bool, bool>>{
           {"real_time", true, false}, {"on_demand", false, false}, {"passive", false, true}}) {
    set_state(json::object{{"enforcementLevel", level}});
    auto h = parse_health_output(run({"health", "--output", "json"}).out);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->real_time_protection_enabled, rtp) << level;
    EXPECT_EQ(h->passive_mode_enabled, passive) << level;
  }
}

TEST_F(FakeMdatp, DefinitionsAgeAndUnhealthy) {
  set_state(json::object{{"definitionsAgeMinutes", 4320}, {"healthy", false}});
  auto h = parse_health_output(run({"health", "--output", "json"}).out);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->definitions_updated_minutes_ago, 4320);
  EXPECT_EQ(h->healthy, false);
  EXPECT_FALSE(h->health_issues->empty());
}

TEST_F(FakeMdatp, DaemonDownFailsWithStderrOnly) {
  set_state(json::object{{"daemonRunning", false}});
  auto r = run({"health"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(r.err.empty());
}

TEST_F(FakeMdatp, UsageErrorListsCommands) {
  set_state(json::object{});
  auto r = run({"--scan", "--quick"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("Expected one of:\n", 0), 0u);
}

TEST_F(FakeMdatp, FaultsLatencyHangCrashGarbage) {
  set_state(json::object{{"faults", json::object{{"latencyMs", 300}, {"commands", json::array{"health"}}}}});
  auto slow = run({"health"});
  EXPECT_GE(slow.duration, 300ms);
  EXPECT_LT(run({"scan", "list"}).duration, 300ms);  // the fault is limited to "health"

  set_state(json::object{{"faults", json::object{{"hang", true}}}});
  auto hung = run({"health"}, 300ms);
  EXPECT_TRUE(hung.timed_out);

  set_state(json::object{{"faults", json::object{{"crashSignal", SIGSEGV}}}});
  auto crashed = run({"health"});
  EXPECT_EQ(crashed.signal, SIGSEGV);

  set_state(json::object{{"faults", json::object{{"garbage", true}}}});
  auto garbage = run({"health", "--output", "json"});
  EXPECT_EQ(garbage.exit_code, 0);
  EXPECT_FALSE(parse_health_output(garbage.out).ok());
}

TEST_F(FakeMdatp, CustomScanFindsEicarQuarantinesAndRecords) {
  set_state(json::object{{"enforcementLevel", "real_time"}});
  fs::create_directories(dir_ / "scanme" / "sub");
  testing::write_file(dir_ / "scanme" / "clean.txt", "hello");
  testing::write_file(dir_ / "scanme" / "sub" / "eicar.com.txt", kEicar);
  auto r = run({"scan", "custom", "--path", (dir_ / "scanme").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto outcome = parse_scan_output(r.out);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->files_scanned, 2);
  EXPECT_EQ(outcome->threats_detected, 1);
  EXPECT_FALSE(fs::exists(dir_ / "scanme" / "sub" / "eicar.com.txt"));  // quarantined
  auto threats = parse_threat_list_json(run({"threat", "list", "--output", "json"}).out);
  ASSERT_TRUE(threats.ok());
  ASSERT_EQ(threats->threats.size(), 1u);
  EXPECT_EQ(threats->threats[0].name, "Virus:DOS/EICAR_Test_File");
  EXPECT_EQ(threats->threats[0].status, "quarantined");
  auto q = parse_quarantine_list_json(run({"threat", "quarantine", "list", "--output", "json"}).out);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->size(), 1u);
  auto text = parse_threat_list_text(run({"threat", "list"}).out);
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(text->size(), 1u);
}

TEST_F(FakeMdatp, RealTimeProtectionCatchesEicarWrittenUnderItsWatchedPaths) {
  fs::create_directories(dir_ / "watched");
  set_state(json::object{{"enforcementLevel", "real_time"},
                         {"realTimePaths", json::array{(dir_ / "watched").string()}}});
  testing::write_file(dir_ / "watched" / "clean.txt", "hello");
  testing::write_file(dir_ / "watched" / "eicar.com", kEicar);
  testing::write_file(dir_ / "elsewhere.com", kEicar);  // not watched
  auto threats = parse_threat_list_json(run({"threat", "list", "--output", "json"}).out);
  ASSERT_TRUE(threats.ok()) << threats.error().describe();
  ASSERT_EQ(threats->threats.size(), 1u);
  EXPECT_EQ(threats->threats[0].path, (dir_ / "watched" / "eicar.com").string());
  EXPECT_EQ(threats->threats[0].status, "quarantined");
  EXPECT_EQ(threats->threats[0].name, "Virus:DOS/EICAR_Test_File");
  EXPECT_FALSE(fs::exists(dir_ / "watched" / "eicar.com"));
  EXPECT_TRUE(fs::exists(dir_ / "watched" / "clean.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "elsewhere.com"));
  EXPECT_EQ(parse_scan_list_json(run({"scan", "list", "--output", "json"}).out)->size(), 0u) << "not a scan";
  EXPECT_EQ(parse_quarantine_list_json(run({"threat", "quarantine", "list", "--output", "json"}).out)->size(),
            1u);
  // With real-time protection off, nothing is caught.
  set_state(json::object{{"enforcementLevel", "on_demand"},
                         {"realTimePaths", json::array{(dir_ / "watched").string()}}});
  testing::write_file(dir_ / "watched" / "eicar2.com", kEicar);
  EXPECT_EQ(parse_threat_list_json(run({"threat", "list", "--output", "json"}).out)->threats.size(), 0u);
  EXPECT_TRUE(fs::exists(dir_ / "watched" / "eicar2.com"));
}

TEST_F(FakeMdatp, PassiveModeDetectsWithoutRemediation) {
  set_state(json::object{{"enforcementLevel", "passive"}});
  testing::write_file(dir_ / "eicar.txt", kEicar);
  auto r = run({"scan", "custom", "--path", (dir_ / "eicar.txt").string()});
  EXPECT_EQ(parse_scan_output(r.out)->threats_detected, 1);
  EXPECT_TRUE(fs::exists(dir_ / "eicar.txt"));
  auto threats = parse_threat_list_json(run({"threat", "list", "--output", "json"}).out);
  EXPECT_EQ(threats->threats.at(0).status, "detected");
}

TEST_F(FakeMdatp, QuickScanTakesItsTimeAndAppendsARecord) {
  set_state(json::object{{"scanDurationMs", 400}, {"scanFilesScanned", 321}});
  auto r = run({"scan", "quick"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GE(r.duration, 400ms);
  auto scans = parse_scan_list_json(run({"scan", "list", "--output", "json"}).out);
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 1u);
  EXPECT_EQ((*scans)[0].type, "quick");
  EXPECT_EQ((*scans)[0].state, "succeeded");
  EXPECT_EQ((*scans)[0].files_scanned, 321);
  EXPECT_GE(*(*scans)[0].duration_ms(), 400);
}

TEST_F(FakeMdatp, FailedAndCancelledScans) {
  set_state(json::object{{"scanFails", true}, {"scanDurationMs", 10}});
  auto failed = run({"scan", "full"});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_FALSE(failed.err.empty());
  EXPECT_EQ(parse_scan_list_json(run({"scan", "list", "--output", "json"}).out)->back().state, "failed");

  set_state(json::object{{"scanDurationMs", 20000}});
  ProcessOptions o;
  o.timeout = 10s;
  o.environment = {"FAKE_MDATP_STATE=" + dir_.path().string()};
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    (void)run_process({kFake.string(), "scan", "cancel"}, o);
  });
  auto cancelled = run({"scan", "quick"});
  canceller.join();
  EXPECT_LT(cancelled.duration, 5s);
  EXPECT_EQ(parse_scan_list_json(run({"scan", "list", "--output", "json"}).out)->back().state, "cancelled");
}

TEST_F(FakeMdatp, ConfigSettersUpdateState) {
  set_state(json::object{});
  auto r = run({"config", "real-time-protection", "--value", "disabled"});
  EXPECT_EQ(r.out, "Configuration property updated.\n");
  EXPECT_EQ(parse_health_output(run({"health"}).out)->real_time_protection_enabled, false);
  auto missing = run({"config", "real-time-protection"});
  EXPECT_EQ(missing.out, read_fixture("mdatp/config-rtp-missing-value-macos.txt"));
}

}  // namespace
}  // namespace nexus_mde
