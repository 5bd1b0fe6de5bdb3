#include "common/mdatp/agent_information.hpp"

#include <gtest/gtest.h>

#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

using testing::read_fixture;

TEST(AgentInformation, DocumentedPiecesParse) {
  auto info =
      parse_agent_information(read_fixture("extracts/rack1control01.mde-agent-information.json"), "x");
  ASSERT_TRUE(info.ok()) << info.error().describe();
  ASSERT_TRUE(info->health.has_value());
  EXPECT_EQ(info->health->app_version, "101.23062.0010");
  ASSERT_TRUE(info->scans.has_value());
  EXPECT_EQ(info->scans->size(), 2u);
  ASSERT_TRUE(info->threats.has_value());
  EXPECT_TRUE(info->threats->empty());
  ASSERT_TRUE(info->quarantine.has_value());
  EXPECT_TRUE(info->quarantine->empty());
  EXPECT_TRUE(info->raw.contains("diagnosticInformation"));
  EXPECT_TRUE(info->raw.contains("mdeConfiguration"));
}

TEST(AgentInformation, ThreatsAndQuarantine) {
  auto info =
      parse_agent_information(read_fixture("extracts/rack1compute07.mde-agent-information.json"), "x");
  ASSERT_TRUE(info.ok()) << info.error().describe();
  ASSERT_EQ(info->threats->size(), 1u);
  EXPECT_EQ((*info->threats)[0].status, "quarantined");
  EXPECT_EQ((*info->threats)[0].detected_ms, 1697217150012);
  ASSERT_EQ(info->quarantine->size(), 1u);
  EXPECT_EQ((*info->scans)[1].threat_count, 1);
}

TEST(AgentInformation, MissingPartsAreUnknownNotEmpty) {
  auto info = parse_agent_information(R"({"scanList":[]})", "x");
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->health.has_value());
  EXPECT_FALSE(info->threats.has_value());
  EXPECT_FALSE(info->quarantine.has_value());
  EXPECT_TRUE(info->scans->empty());
}

TEST(AgentInformation, DefinitionsCompleteHealth) {
  auto info = parse_agent_information(
      R"({"generalHealth":{"healthy":true},"mdeDefinitions":{"definitionsVersion":"1.2.3.4","definitionsUpdated":"1691587153787"}})",
      "x");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->health->definitions_version, "1.2.3.4");
  EXPECT_EQ(info->health->definitions_updated_ms, 1691587153787);
}

TEST(AgentInformation, ErrorsNameThePathOrOffset) {
  auto bad_field = parse_agent_information(R"({"scanList":[{"endTime":"x"}]})", "f.json");
  ASSERT_FALSE(bad_field.ok());
  EXPECT_EQ(bad_field.error().field, "scanList[0].endTime");
  auto bad_syntax = parse_agent_information("{\"scanList\": [", "f.json");
  ASSERT_FALSE(bad_syntax.ok());
  EXPECT_TRUE(bad_syntax.error().offset.has_value());
  EXPECT_NE(bad_syntax.error().describe().find("f.json"), std::string::npos);
  EXPECT_FALSE(parse_agent_information("[]", "f.json").ok());
  EXPECT_FALSE(parse_agent_information(R"({"threatInformation":[]})", "f.json").ok());
}

}  // namespace
}  // namespace nexus_mde
