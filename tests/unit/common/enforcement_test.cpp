#include "common/model/enforcement.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nexus_mde {
namespace {

TEST(Enforcement, ParsesEveryLevelCaseInsensitively) {
  for (EnforcementLevel level : kAllEnforcementLevels) {
    std::string name(to_string(level));
    std::string upper, lower;
    for (char c : name) {
      upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    EXPECT_EQ(*parse_enforcement_level(name), level);
    EXPECT_EQ(*parse_enforcement_level(upper), level);
    EXPECT_EQ(*parse_enforcement_level(lower), level);
  }
}

TEST(Enforcement, RejectsOthersListingTheFiveValues) {
  for (const char* bad : {"", "real_time", "Real Time", "Enabled", "RealTimeX"}) {
    auto r = parse_enforcement_level(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("Audit, Disabled, OnDemand, Passive, RealTime"), std::string::npos);
  }
}

TEST(Enforcement, TableCoversEveryLevelOnce) {
  for (EnforcementLevel level : kAllEnforcementLevels) {
    int n = 0;
    for (const auto& m : kEnforcementTable) n += m.level == level;
    EXPECT_EQ(n, 1) << to_string(level);
  }
  EXPECT_TRUE(mapping_for(EnforcementLevel::Audit).inferred);
  EXPECT_FALSE(mapping_for(EnforcementLevel::RealTime).inferred);
  EXPECT_FALSE(mapping_for(EnforcementLevel::Disabled).service_running);
}

struct ReadCase {
  MdatpEnforcementFacts facts;
  std::optional<EnforcementLevel> level;
  bool consistent;
  bool inferred;
};

TEST(Enforcement, ReadsTheLevelFromWhatMdatpSays) {
  const std::vector<ReadCase> cases = {
      {{true, "real_time", true, false}, EnforcementLevel::RealTime, true, false},
      {{true, "on_demand", false, false}, EnforcementLevel::OnDemand, true, false},
      {{true, "passive", false, true}, EnforcementLevel::Passive, true, false},
      {{false, std::nullopt, std::nullopt, std::nullopt}, EnforcementLevel::Disabled, true, false},
      {{true, std::nullopt, true, false}, EnforcementLevel::RealTime, true, false},
      {{true, std::nullopt, false, false}, EnforcementLevel::OnDemand, true, false},
      {{true, std::nullopt, false, true}, EnforcementLevel::Passive, true, false},
      {{true, std::nullopt, true, true}, EnforcementLevel::Audit, true, true},
      // The macOS --details antivirus sample: on_demand configured, RTP reported on.
      {{true, "on_demand", true, std::nullopt}, EnforcementLevel::OnDemand, false, false},
      {{true, std::nullopt, std::nullopt, std::nullopt}, std::nullopt, true, false},
      {{true, std::nullopt, false, std::nullopt}, std::nullopt, true, false},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto r = read_enforcement(cases[i].facts);
    EXPECT_EQ(r.level, cases[i].level) << "case " << i;
    EXPECT_EQ(r.consistent, cases[i].consistent) << "case " << i;
    EXPECT_EQ(r.inferred, cases[i].inferred) << "case " << i;
    if (!r.consistent || r.inferred) {
      EXPECT_FALSE(r.note.empty()) << "case " << i;
    }
  }
}

TEST(Enforcement, KeepsBothReportedFactsOnTheWire) {
  auto r = read_enforcement({true, "on_demand", true, std::nullopt});
  auto jv = boost::json::value_from(r);
  EXPECT_EQ(jv.at("level"), "OnDemand");
  EXPECT_EQ(jv.at("consistent"), false);
  EXPECT_EQ(jv.at("mdatp").at("enforcementLevel"), "on_demand");
  EXPECT_EQ(jv.at("mdatp").at("realTimeProtectionEnabled"), true);
  EXPECT_TRUE(jv.at("mdatp").at("passiveModeEnabled").is_null());
}

}  // namespace
}  // namespace nexus_mde
