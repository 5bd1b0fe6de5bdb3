// A bare-metal machine's runtimeProtectionStatus (the reference samples) as a node snapshot.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/arm/machine_snapshot.hpp"
#include "plugin/cluster/node_report.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde::plugin {
namespace {

namespace json = boost::json;

ArmMachine machine_from(const char* fixture) {
  auto doc = json::parse(testing::read_fixture(std::string("networkcloud/") + fixture));
  const auto& props = doc.at("responses").at("200").at("body").at("value").at(0).at("properties").as_object();
  ArmMachine m;
  m.name = std::string(props.at("machineName").as_string());
  m.runtime_protection_status = props.at("runtimeProtectionStatus").as_object();
  return m;
}

TEST(MachineSnapshot, EveryFieldOfTheNewestSample) {
  auto m = machine_from("stable-2026-10-01_BareMetalMachines_ListByResourceGroup.json");
  ASSERT_TRUE(has_runtime_protection_status(m));
  auto s = snapshot_from_arm(m, 1'800'000'000'000);
  EXPECT_EQ(s.node, "r01c001");
  ASSERT_TRUE(s.health);
  EXPECT_EQ(s.health->healthy, false);  // "Unhealthy"
  EXPECT_EQ(s.health->health_issues, (std::vector<std::string>{"Issue1", "Issue2"}));
  EXPECT_EQ(s.health->licensed, true);
  EXPECT_EQ(s.health->definitions_version, "1.2.3");
  EXPECT_EQ(s.health->definitions_updated_ms, 1695907623008);  // 2023-09-28T13:27:03.008Z
  EXPECT_EQ(s.enforcement.level, EnforcementLevel::OnDemand);
  ASSERT_EQ(s.scans.size(), 1u);
  EXPECT_EQ(s.scans[0].end_ms, 1696080443103);  // scanCompletedTime 2023-09-30T13:27:23.103Z
  EXPECT_EQ(s.scans[0].state, "completed");
  EXPECT_FALSE(s.scans[0].type) << "ARM does not say which scan";
  EXPECT_EQ(s.collected_at_ms, 1'800'000'000'000);
}

TEST(MachineSnapshot, FieldsArmDoesNotReportStayUnknown) {
  ArmMachine old;  // before 2026-01-01-preview: no health, license or level
  old.name = "r1";
  old.runtime_protection_status = json::object{{"definitionsVersion", "1.2.3"},
                                               {"scanStartedTime", "2023-10-01T00:00:10.000Z"},
                                               {"scanCompletedTime", "2023-09-30T00:00:00.000Z"}};
  auto s = snapshot_from_arm(old, 0);
  ASSERT_TRUE(s.health);
  EXPECT_FALSE(s.health->healthy);
  EXPECT_FALSE(s.health->licensed);
  EXPECT_FALSE(s.health->definitions_updated_ms);
  EXPECT_FALSE(s.enforcement.level);
  ASSERT_EQ(s.scans.size(), 1u);
  EXPECT_FALSE(s.scans[0].end_ms) << "a completion older than the start is the scan before";
  EXPECT_EQ(s.scans[0].state, "running");
  ArmMachine none;
  EXPECT_FALSE(has_runtime_protection_status(none));
}

// tests/fixtures/formats/arm: one machine and one cluster per api-version the client may use.
class ArmVersionShapes : public ::testing::TestWithParam<const char*> {};

TEST_P(ArmVersionShapes, WhatAVersionDoesNotReportIsUnknownNeverAFinding) {
  const std::string version = GetParam();
  const bool rich = version >= std::string("2026-01-01");
  auto machine_doc = json::parse(testing::read_format_fixture("formats/arm/" + version + "-machine.json"));
  const auto& props = machine_doc.at("properties").as_object();
  ArmMachine m;
  m.name = std::string(props.at("machineName").as_string());
  m.runtime_protection_status = props.at("runtimeProtectionStatus").as_object();
  auto s = snapshot_from_arm(m, 1'800'000'000'000);
  ASSERT_TRUE(s.health);
  EXPECT_EQ(s.health->definitions_version, "1.2.3");
  ASSERT_EQ(s.scans.size(), 1u);
  EXPECT_EQ(s.scans[0].state, "completed") << "scanScheduledTime, the next scan, says nothing about this one";
  if (rich) {
    EXPECT_EQ(s.health->healthy, false);
    EXPECT_EQ(s.enforcement.level, EnforcementLevel::OnDemand);
  } else {
    EXPECT_FALSE(s.health->healthy);
    EXPECT_FALSE(s.health->licensed);
    EXPECT_FALSE(s.health->health_issues);
    EXPECT_FALSE(s.enforcement.level);
    EXPECT_TRUE(findings_of(s).empty()) << findings_of(s).front();
  }
  ArmCluster c;
  ASSERT_TRUE(
      read_cluster(json::parse(testing::read_format_fixture("formats/arm/" + version + "-cluster.json")), c));
  EXPECT_EQ(c.enforcement_level, "OnDemand");
  EXPECT_EQ(c.definition_update_mode.has_value(), rich)
      << "absent before 2026-01-01-preview: unknown, not None";
}

INSTANTIATE_TEST_SUITE_P(EveryApiVersion, ArmVersionShapes,
                         ::testing::Values("2025-09-01", "2026-07-01", "2026-10-01"),
                         [](const ::testing::TestParamInfo<const char*>& version) {
                           std::string name = version.param;
                           std::erase(name, '-');
                           return "v" + name;
                         });

}  // namespace
}  // namespace nexus_mde::plugin
