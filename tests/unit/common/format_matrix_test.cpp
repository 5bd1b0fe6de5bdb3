// The mdatp output families of tests/fixtures/formats/mdatp through the parsers: each is read
// right, an unknown value stays unknown, and a line that cannot be read costs that line only.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/mdatp/mdatp_parsers.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

using testing::read_format_fixture;

Health health_of(const std::string& name, std::vector<std::string>* warnings) {
  auto h = parse_health_output(read_format_fixture("formats/mdatp/" + name), warnings);
  EXPECT_TRUE(h.ok()) << name << ": " << (h ? "" : h.error().describe());
  return h ? *h : Health{};
}

bool mentions(const std::vector<std::string>& warnings, const std::string& text) {
  for (const auto& w : warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(FormatMatrix, EveryFixtureNamesItsSource) {
  for (const auto& suffix : {".txt", ".json"}) {
    for (const auto& f : testing::fixtures_in("formats/mdatp", suffix))
      EXPECT_NO_THROW(read_format_fixture(f)) << f;
    for (const auto& f : testing::fixtures_in("formats/arm", suffix))
      EXPECT_NO_THROW(read_format_fixture(f)) << f;
  }
}

TEST(FormatMatrix, LegacyCamelCaseText) {
  std::vector<std::string> w;
  Health h = health_of("legacy-camelcase-text.txt", &w);
  EXPECT_EQ(h.definitions_status, "up_to_date");       // "upToDate" in this family
  EXPECT_EQ(h.definitions_updated_ms, 1583323429305);  // a quoted epoch-ms string
  EXPECT_EQ(h.definitions_version, "79932");
  EXPECT_EQ(h.healthy, true);
  EXPECT_EQ(h.real_time_protection_enabled, true);
  EXPECT_EQ(h.passive_mode_enabled, false);
  ASSERT_TRUE(h.raw.contains("conflictingApplications"));
  EXPECT_TRUE(h.raw.at("conflictingApplications").is_null()) << "bare null is null, not the text \"null\"";
  EXPECT_FALSE(h.engine_version) << "versionEngine's meaning is not documented: kept in raw, not guessed";
  EXPECT_EQ(h.raw.at("versionEngine"), "100.87.66");
  EXPECT_TRUE(w.empty()) << w.front();
}

TEST(FormatMatrix, SnakeCaseWithManagedSuffixNewKeysAndDeprecatedValues) {
  std::vector<std::string> w;
  Health h = health_of("text-snake-managed-newkeys.txt", &w);
  EXPECT_EQ(h.real_time_protection_enabled, false);  // "false[managed]"
  EXPECT_EQ(h.passive_mode_enabled, false);          // "false [managed]"
  EXPECT_NE(std::find(h.managed.begin(), h.managed.end(), "realTimeProtectionEnabled"), h.managed.end());
  EXPECT_NE(std::find(h.managed.begin(), h.managed.end(), "passiveModeEnabled"), h.managed.end());
  EXPECT_EQ(h.raw.at("engineSignatureVerification"), "enabled");
  EXPECT_EQ(h.raw.at("offlineDefinitionUpdateVerifySig"), "DEPRECATED");
  EXPECT_EQ(h.raw.at("edrDeviceTags").as_array().at(0), "172.XX.XXX.XX");
  EXPECT_EQ(h.machine_guid, "***ANONYMIZED***");
  EXPECT_EQ(h.definitions_status, "up_to_date");
  EXPECT_TRUE(h.definitions_updated_ms.has_value());
  EXPECT_TRUE(w.empty()) << w.front();
}

TEST(FormatMatrix, AnUnreadableLineIsSkippedAndNamedTheRestIsKept) {
  std::vector<std::string> w;
  Health h = health_of("text-unknown-status-unparsable-line.txt", &w);
  EXPECT_EQ(h.healthy, true);
  EXPECT_EQ(h.definitions_version, "1.421.1234.0");  // after the bad line
  EXPECT_EQ(h.definitions_status, "partially_updated") << "an unknown value is kept verbatim";
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(mentions(w, "line 6:")) << w.front();
  EXPECT_TRUE(mentions(w, "diagnostic banner")) << w.front();
}

TEST(FormatMatrix, UnlicensedAndExpired) {
  Health u = health_of("text-unlicensed.txt", nullptr);
  EXPECT_EQ(u.licensed, false);
  EXPECT_EQ(u.healthy, false);
  EXPECT_FALSE(u.org_id) << "unavailable is unknown";
  EXPECT_EQ(u.raw.at("attention"), "ATTENTION: No license found. Contact your administrator for help.");
  EXPECT_FALSE(u.real_time_protection_enabled) << "not in this output: unknown, not false";
  Health e = health_of("text-expired.txt", nullptr);
  EXPECT_EQ(e.healthy, false);
  EXPECT_TRUE(e.product_expiration_ms.has_value());
}

TEST(FormatMatrix, OutputCutShortKeepsWhatCameBefore) {
  std::vector<std::string> w;
  Health h = health_of("text-truncated.txt", &w);
  EXPECT_EQ(h.definitions_version, "1.317.1163.0");
  EXPECT_FALSE(h.definitions_updated_ms);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_TRUE(mentions(w, "line 7:") && mentions(w, "cut short")) << w.front();
}

TEST(FormatMatrix, JsonFamily) {
  std::vector<std::string> w;
  Health f = health_of("json-update-failed.json", &w);
  EXPECT_EQ(f.definitions_status, "update_failed");
  EXPECT_EQ(f.real_time_protection_enabled, true);
  EXPECT_TRUE(w.empty()) << w.front();
  Health u = health_of("json-unknown-status.json", &w);
  EXPECT_EQ(u.definitions_status, "rolling_back");
  EXPECT_FALSE(u.passive_mode_enabled) << "DEPRECATED reads as unknown";
  EXPECT_EQ(u.raw.at("passiveModeEnabled"), "DEPRECATED");
  EXPECT_EQ(u.real_time_protection_enabled, true);
  EXPECT_TRUE(w.empty()) << "DEPRECATED is documented, no warning: " << w.front();
}

TEST(FormatMatrix, AFieldOfTheWrongTypeIsUnknownNotTheEndOfTheSnapshot) {
  std::vector<std::string> w;
  auto h = parse_health_json(R"({"healthy":"sometimes","licensed":true,"healthIssues":"none"})", &w);
  ASSERT_TRUE(h.ok());
  EXPECT_FALSE(h->healthy);
  EXPECT_EQ(h->licensed, true);
  EXPECT_FALSE(h->health_issues);
  EXPECT_EQ(h->raw.at("healthy"), "sometimes") << "the odd value is kept as given";
  ASSERT_EQ(w.size(), 2u);
  EXPECT_TRUE(mentions(w, "healthy: expected true or false")) << w.front();
  EXPECT_FALSE(parse_health_json(R"({"healthy":"sometimes"})").ok())
      << "without a place for warnings, it is an error";
}

TEST(FormatMatrix, FieldOutputs) {
  auto one = parse_health_field_output(read_format_fixture("formats/mdatp/field-banner-one-line.txt"));
  ASSERT_TRUE(one.ok()) << one.error().describe();
  EXPECT_EQ(*one, boost::json::value(boost::json::array{"missing license"}));
  auto two = parse_health_field_output(read_format_fixture("formats/mdatp/field-banner-two-lines.txt"));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, *one);
  auto managed = parse_health_field_output(read_format_fixture("formats/mdatp/field-managed-no-space.txt"));
  ASSERT_TRUE(managed.ok());
  EXPECT_EQ(*managed, false);
}

TEST(FormatMatrix, NoThreatsWithAndWithoutAPeriod) {
  for (const char* f : {"threats-none.txt", "threats-none-period.txt"}) {
    auto t = parse_threat_list_text(read_format_fixture(std::string("formats/mdatp/") + f));
    ASSERT_TRUE(t.ok()) << f << ": " << t.error().describe();
    EXPECT_TRUE(t->empty()) << f;
  }
}

TEST(FormatMatrix, AntivirusDetails) {
  Health d = health_of("details-antivirus.txt", nullptr);
  EXPECT_EQ(d.enforcement_level, "passive");
  EXPECT_EQ(d.real_time_protection_enabled, false);
  EXPECT_EQ(d.passive_mode_enabled, true);
}

}  // namespace
}  // namespace nexus_mde
