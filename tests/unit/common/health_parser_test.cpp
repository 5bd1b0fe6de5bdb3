// mdatp health, text and JSON, across every version in the reference samples.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/mdatp/mdatp_parsers.hpp"
#include "common/sys/time.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

using testing::read_fixture;

Health parse_ok(const std::string& fixture) {
  auto h = parse_health_output(read_fixture(fixture));
  EXPECT_TRUE(h.ok()) << fixture << ": " << (h.ok() ? "" : h.error().describe());
  return h.ok() ? *h : Health{};
}

std::string iso(std::optional<std::int64_t> ms) { return ms ? *format_rfc3339_ms(*ms) : "unknown"; }

bool is_managed(const Health& h, const std::string& name) {
  return std::find(h.managed.begin(), h.managed.end(), name) != h.managed.end();
}

TEST(HealthText, Linux23062Healthy) {
  Health h = parse_ok("mdatp/health-linux-101.23062.0010-healthy.txt");
  EXPECT_EQ(h.healthy, true);
  EXPECT_EQ(h.licensed, true);
  ASSERT_TRUE(h.health_issues.has_value());
  EXPECT_TRUE(h.health_issues->empty());
  EXPECT_EQ(h.app_version, "101.23062.0010");
  EXPECT_EQ(h.engine_version, "1.1.23070.1002");
  EXPECT_EQ(h.real_time_protection_enabled, true);
  EXPECT_EQ(h.passive_mode_enabled, false);
  EXPECT_EQ(h.real_time_protection_subsystem, "fanotify");
  EXPECT_EQ(h.behavior_monitoring, "enabled");
  EXPECT_EQ(h.definitions_version, "1.395.227.0");
  EXPECT_EQ(h.definitions_status, "up_to_date");
  EXPECT_EQ(h.definitions_updated_minutes_ago, 159);
  EXPECT_EQ(iso(h.definitions_updated_ms), "2023-08-12T03:26:24.000Z");
  EXPECT_EQ(iso(h.product_expiration_ms), "2024-04-10T13:34:28.000Z");
  // The sample's value was wrapped onto a second line by a copy; it is joined back.
  ASSERT_TRUE(h.raw.contains("edrConfigurationVersion"));
  std::string edr(h.raw.at("edrConfigurationVersion").as_string());
  EXPECT_TRUE(edr.ends_with("7FEC2BDC3983DD35212875E773F34")) << edr;
  EXPECT_EQ(h.raw.at("networkProtectionStatus"), "stopped");
  EXPECT_EQ(h.raw.at("troubleshootingMode"), false);
}

TEST(HealthText, Linux23082WithExtraIndentation) {
  Health h = parse_ok("mdatp/health-linux-101.23082.0006-healthy.txt");
  EXPECT_EQ(h.healthy, true);
  EXPECT_EQ(h.app_version, "101.23082.0006");
  EXPECT_EQ(h.raw.at("supplementaryEventsSubsystem"), "ebpf");
  EXPECT_EQ(iso(h.definitions_updated_ms), "2023-09-13T19:57:47.000Z");
}

TEST(HealthText, UnlicensedKeepsAttentionAndUnknowns) {
  Health h = parse_ok("mdatp/health-linux-101.85.27-unlicensed.txt");
  EXPECT_EQ(h.healthy, false);
  EXPECT_EQ(h.licensed, false);
  ASSERT_TRUE(h.health_issues.has_value());
  EXPECT_EQ(*h.health_issues, std::vector<std::string>{"missing license"});
  EXPECT_FALSE(h.org_id.has_value());                        // "unavailable" is unknown
  EXPECT_FALSE(h.real_time_protection_enabled.has_value());  // absent is unknown, not false
  EXPECT_FALSE(h.definitions_version.has_value());
  EXPECT_EQ(h.raw.at("attention"), "ATTENTION: No license found. Contact your administrator for help.");
}

TEST(HealthText, OldUnlicensedWithoutHealthIssues) {
  Health h = parse_ok("mdatp/health-linux-101.02.55-unlicensed-partial.txt");
  EXPECT_EQ(h.licensed, false);
  EXPECT_FALSE(h.health_issues.has_value());
  EXPECT_FALSE(h.product_expiration_ms.has_value());
  EXPECT_EQ(h.real_time_protection_enabled, false);
  EXPECT_EQ(h.release_ring, "InsiderFast");
}

TEST(HealthText, LegacyCamelCaseCli) {
  Health h = parse_ok("mdatp/health-legacy-camelcase-linux-100.87.txt");
  EXPECT_EQ(h.healthy, true);
  EXPECT_EQ(h.definitions_version, "79932");  // a bare number in that CLI
  EXPECT_EQ(h.definitions_updated_ms, 1583323429305);
  EXPECT_EQ(h.real_time_protection_enabled, true);
  EXPECT_EQ(h.release_ring, "Dogfood");
}

TEST(HealthText, MacOsDocsSample) {
  Health h = parse_ok("mdatp/health-macos-101.70.19-docs.txt");
  EXPECT_EQ(h.tamper_protection, "block");
  EXPECT_EQ(h.raw.at("fullDiskAccessEnabled"), true);
  EXPECT_EQ(h.org_id, "...");
}

TEST(HealthText, DefinitionsDetailsMarkManagedSettings) {
  Health h = parse_ok("mdatp/health-details-definitions-linux.txt");
  EXPECT_EQ(h.automatic_definition_update_enabled, true);
  EXPECT_TRUE(is_managed(h, "automaticDefinitionUpdateEnabled"));
  EXPECT_TRUE(is_managed(h, "offlineDefinitionUrlConfigured"));
  EXPECT_FALSE(is_managed(h, "definitionsVersion"));
  EXPECT_EQ(h.raw.at("offlineDefinitionUrlConfigured"), "http://172.22.199.67:8000/linux/production/");
  EXPECT_EQ(h.raw.at("definitionsUpdateFailReason"), "");
}

TEST(HealthText, AntivirusDetailsCarryEnforcementLevelAndAnAnnotation) {
  Health h = parse_ok("mdatp/health-details-antivirus-macos.txt");
  EXPECT_EQ(h.enforcement_level, "on_demand");
  EXPECT_EQ(h.real_time_protection_enabled, true);  // "true   <--- ENABLED"
  EXPECT_EQ(h.raw.at("lastOnDemandScanFilesScanned"), 5566);
  EXPECT_EQ(iso(h.raw.at("lastOnDemandScanStartTime").as_int64()), "2024-12-02T11:50:19.000Z");
  auto reading = read_enforcement(enforcement_facts(h));
  EXPECT_EQ(reading.level, EnforcementLevel::OnDemand);
  EXPECT_FALSE(reading.consistent);
}

TEST(HealthJson, Linux23062PassiveMode) {
  Health h = parse_ok("mdatp/health-linux-101.23062.0010.json");
  EXPECT_EQ(h.healthy, true);
  EXPECT_EQ(h.passive_mode_enabled, true);
  EXPECT_EQ(h.real_time_protection_enabled, false);
  EXPECT_EQ(h.real_time_protection_available, true);
  EXPECT_EQ(h.definitions_status, "up_to_date");
  EXPECT_EQ(h.definitions_updated_ms, 1691587153787);
  EXPECT_EQ(h.definitions_updated_minutes_ago, 20);
  EXPECT_EQ(h.product_expiration_ms, 1712756068000);
  EXPECT_EQ(h.behavior_monitoring, "disabled");
  EXPECT_EQ(h.raw.at("$type"), "getHealthAllResult");
  EXPECT_EQ(h.raw.at("proxy"), "None");  // managed-setting wrapper unwrapped in raw too
  EXPECT_TRUE(h.managed.empty());
  EXPECT_EQ(read_enforcement(enforcement_facts(h)).level, EnforcementLevel::Passive);
}

TEST(HealthJson, MacOs9830RealTime) {
  Health h = parse_ok("mdatp/health-macos-101.98.30.json");
  EXPECT_EQ(h.real_time_protection_enabled, true);
  EXPECT_EQ(h.tamper_protection, "block");
  EXPECT_EQ(h.raw.at("dataLossPreventionStatus"), "disabled");
  EXPECT_EQ(read_enforcement(enforcement_facts(h)).level, EnforcementLevel::RealTime);
}

TEST(HealthJson, ManagedObjectsAreFlaggedAndTypesChecked) {
  auto h = parse_health_json(
      R"({"healthy":true,"realTimeProtectionEnabled":{"displayValue":true,"isManaged":true,"value":true}})");
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(is_managed(*h, "realTimeProtectionEnabled"));
  auto bad = parse_health_json(R"({"healthy":"maybe"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "healthy");
  auto bad_time = parse_health_json(R"({"definitionsUpdated":"yesterday"})");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(bad_time.error().field, "definitionsUpdated");
}

TEST(HealthJson, SyntaxErrorsNameTheOffset) {
  auto bad = parse_health_json(R"({"healthy":true,"licensed":})");
  ASSERT_FALSE(bad.ok());
  ASSERT_TRUE(bad.error().offset.has_value());
  EXPECT_EQ(*bad.error().offset, 27u);
  EXPECT_FALSE(parse_health_json(R"({"healthy":true} trailing)").ok());
  EXPECT_FALSE(parse_health_json("[1,2]").ok());
}

TEST(HealthText, MalformedLinesAreSkippedAndNamed) {
  std::vector<std::string> warnings;
  auto r = parse_health_text("healthy : true\nthis line has no separator\n", &warnings);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->healthy, true);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].rfind("line 2: ", 0), 0u) << warnings[0];
  auto help = parse_health_output(read_fixture("mdatp/help-expected-one-of-macos.txt"));
  EXPECT_FALSE(help.ok()) << "no line of a usage text is a key : value line";
  EXPECT_FALSE(parse_health_text("").ok());
  EXPECT_FALSE(parse_health_text("ATTENTION: No license found. Contact your administrator for help.\n").ok());
  warnings.clear();
  auto unterminated = parse_health_text("healthy : true\norg_id : \"abc\n", &warnings);
  ASSERT_TRUE(unterminated.ok());
  EXPECT_FALSE(unterminated->org_id);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("org_id"), std::string::npos) << warnings[0];
}

TEST(HealthField, ValueAloneWithAttentionLine) {
  auto v =
      parse_health_field_output("ATTENTION: No license found. Contact your administrator for help.\nfalse\n");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, false);
  EXPECT_EQ(*parse_health_field_output("\"1.395.227.0\"\n"), "1.395.227.0");
  EXPECT_EQ(*parse_health_field_output("true [managed]\n"), true);
  auto issues = parse_health_field_output(
      "ATTENTION: No license found. Contact your administrator for help.\n[\"missing license\"]\n");
  ASSERT_TRUE(issues.ok());
  EXPECT_EQ(issues->as_array().size(), 1u);
  EXPECT_FALSE(parse_health_field_output("").ok());
}

}  // namespace
}  // namespace nexus_mde
