// Every mdatp output family of tests/fixtures/formats/mdatp through the whole path: the mdatp
// double replays the recorded output, a real agent reads it, and `nexus-mde status` reports it.
// What a format does not say stays unknown: no finding, no non-zero exit, "?" in the table.
#include <gtest/gtest.h>

#include <memory>

#include <boost/json.hpp>

#include "tests/support/agent_harness.hpp"
#include "tests/support/cli_runner.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;
using testing::AgentHarness;

// An older client without `health --output json`: that invocation fails as a usage error does.
const json::object kNoJsonOutput{{"exitCode", 1}, {"stderr", "Invalid option --output\n"}};

// Text families: the client answers `mdatp health` only, and its --details sections are not
// recorded (so enforcement_level is unknown, not the double's own).
json::object replay_text(const char* fixture) {
  return {
      {"health --output json", kNoJsonOutput},
      {"health --details antivirus", kNoJsonOutput},
      {"health",
       json::object{{"stdout", testing::fixture_path(std::string("formats/mdatp/") + fixture).string()}}}};
}

json::object replay_json(const char* fixture) {
  return {
      {"health --output json",
       json::object{{"stdout", testing::fixture_path(std::string("formats/mdatp/") + fixture).string()}}}};
}

struct Case {
  const char* node;
  json::object replay;
  std::vector<std::string> findings;
  std::string definitions_status;  // as the snapshot reports it; empty: null
};

std::vector<Case> cases() {
  // The 2020-era CLI knows neither `health --output json` nor `health`: only `--health`.
  json::object legacy{
      {"health --output json", kNoJsonOutput},
      {"health --details antivirus", kNoJsonOutput},
      {"health", kNoJsonOutput},
      {"--health",
       json::object{{"stdout", testing::fixture_path("formats/mdatp/legacy-camelcase-text.txt").string()}}}};
  // `--details antivirus` as its own section: its enforcement_level names the node's level.
  json::object details = replay_text("text-snake-managed-newkeys.txt");
  details["health --details antivirus"] =
      json::object{{"stdout", testing::fixture_path("formats/mdatp/details-antivirus.txt").string()}};
  return {
      {"legacy", legacy, {}, "up_to_date"},
      {"managed-newkeys", replay_text("text-snake-managed-newkeys.txt"), {}, "up_to_date"},
      {"unknown-status-a", replay_text("text-unknown-status-unparsable-line.txt"), {}, "partially_updated"},
      {"unknown-status-b", replay_text("text-unknown-status-unparsable-line.txt"), {}, "partially_updated"},
      {"unlicensed", replay_text("text-unlicensed.txt"), {"unhealthy", "unlicensed"}, "up_to_date"},
      {"truncated", replay_text("text-truncated.txt"), {}, ""},
      {"update-failed",
       replay_json("json-update-failed.json"),
       {"definitions update_failed"},
       "update_failed"},
      {"unknown-json", replay_json("json-unknown-status.json"), {}, "rolling_back"},
      {"expired", replay_text("text-expired.txt"), {"unhealthy"}, "up_to_date"},
      {"details",
       details,
       {"enforcement inconsistent: enforcement_level is passive but real_time_protection_enabled=false, "
        "passive_mode_enabled=false"},
       "up_to_date"},
  };
}

class FormatMatrixCli : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& c : cases_) {
      agents_.push_back(std::make_unique<AgentHarness>(c.node));
      agents_.back()->set_mdatp_state(json::object{{"replay", c.replay}});
      agents_.back()->start({"--log-target", "stderr"});
    }
  }

  std::vector<std::string> args(std::vector<std::string> head) {
    std::string bundle;
    for (const auto& a : agents_) bundle += testing::read_file(a->ca().cert);
    testing::write_file(scratch_ / "ca.pem", bundle);
    testing::write_file(scratch_ / "token", agents_.front()->tokens().reader + "\n");
    for (const auto& a : agents_)
      head.insert(head.end(), {"--node", a->node() + "=" + a->address() + ":9448"});
    head.insert(head.end(),
                {"--ca-file", (scratch_ / "ca.pem").string(), "--token-file", (scratch_ / "token").string()});
    return head;
  }

  std::vector<Case> cases_ = cases();
  testing::ScratchDir scratch_;
  std::vector<std::unique_ptr<AgentHarness>> agents_;
};

TEST_F(FormatMatrixCli, EachFamilyIsReadRightAndOnlyRealFindingsCount) {
  auto r = testing::run_nexus_mde(args({"status", "-o", "json"}));
  EXPECT_EQ(r.exit_code, 1) << "some nodes have real findings\n" << r.err;
  auto nodes = testing::nodes_by_name(r.out);
  ASSERT_EQ(nodes.size(), cases_.size()) << r.out;
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    const Case& c = cases_[i];
    SCOPED_TRACE(c.node);
    const json::object& n = nodes[agents_[i]->node()];
    EXPECT_EQ(n.at("state"), "ok") << json::serialize(n);
    std::vector<std::string> findings;
    for (const auto& f : n.at("findings").as_array()) findings.emplace_back(f.as_string());
    EXPECT_EQ(findings, c.findings) << json::serialize(n);
    const json::value& status = n.at("snapshot").at("health").at("definitionsStatus");
    if (c.definitions_status.empty())
      EXPECT_TRUE(status.is_null()) << status;
    else
      EXPECT_EQ(status, c.definitions_status.c_str());
  }
  EXPECT_TRUE(nodes[agents_[0]->node()].at("snapshot").at("health").at("definitionsUpdated") ==
              "2020-03-04T12:03:49.305Z");
  // The details section's enforcement_level is the node's level, checked against its flags.
  const auto& details = nodes[agents_.back()->node()].at("snapshot").at("enforcement");
  EXPECT_EQ(details.at("mdatp").at("enforcementLevel"), "passive") << json::serialize(details);
  EXPECT_EQ(details.at("consistent"), false)
      << "passive with passive_mode_enabled false: " << json::serialize(details);
}

TEST_F(FormatMatrixCli, WarningsNameTheLineAndAreSaidOncePerRun) {
  auto r = testing::run_nexus_mde(args({"status"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto count = [&](const std::string& text) {
    std::size_t n = 0;
    for (auto at = r.err.find(text); at != std::string::npos; at = r.err.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("nexus-mde: warning: health: mdatp health: line 6: expected \"key : value\""), 1u) << r.err;
  EXPECT_EQ(count("(" + agents_[2]->node() + ", " + agents_[3]->node() + ")"), 2u)
      << "the line and the status, each once for both nodes\n"
      << r.err;
  EXPECT_EQ(count("definitions status \"partially_updated\" is not a value nexus-mde knows"), 1u) << r.err;
  EXPECT_EQ(count("definitions status \"rolling_back\""), 1u) << r.err;
  EXPECT_EQ(count("cut short"), 1u) << r.err;
  // The unknown status is shown as given, in the DEFINITIONS cell, and nothing reads it as a finding.
  std::size_t row = r.out.find(agents_[2]->node());
  ASSERT_NE(row, std::string::npos) << r.out;
  std::string line = r.out.substr(row, r.out.find('\n', row) - row);
  EXPECT_NE(line.find("1.421.1234.0 partially_updated"), std::string::npos) << line;
  // The unlicensed node never said whether real-time protection was on: "?" rather than "off".
  row = r.out.find(agents_[4]->node());
  line = r.out.substr(row, r.out.find('\n', row) - row);
  EXPECT_NE(line.find(" ? "), std::string::npos) << line << "\n" << r.out;
}

}  // namespace
}  // namespace nexus_mde
