// The wire form: camelCase, null for unknown, RFC 3339 times, and a lossless round trip.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/mdatp/mdatp_parsers.hpp"
#include "common/model/model_json.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

NodeSnapshot sample_snapshot() {
  NodeSnapshot n;
  n.node = "rack1compute07";
  n.health = *parse_health_output(testing::read_fixture("mdatp/health-linux-101.23062.0010.json"));
  n.enforcement = read_enforcement(enforcement_facts(*n.health));
  n.scans = *parse_scan_list_json(testing::read_fixture("mdatp/nexus-scanList.json"));
  Threat t;
  t.id = "abc";
  t.name = "Virus:DOS/EICAR_Test_File";
  t.status = "quarantined";
  t.detected_ms = 1697217150012;
  t.raw["sha256"] = "00ff";
  n.threats.push_back(t);
  // Threats listed under a scan carry that scan's type and start (as the readers fill them in).
  t.scan_type = n.scans[1].type;
  t.scan_start_ms = n.scans[1].start_ms;
  n.scans[1].threats.push_back(t);
  n.scans[1].threat_count = 1;
  QuarantineEntry q;
  q.id = "abc";
  q.path = "/tmp/e";
  q.quarantined_ms = 1697217150317;
  n.quarantine.push_back(q);
  n.errors.push_back({"threats", "mdatp exit 1: boom"});
  n.collected_at_ms = 1697217160000;
  n.stale = true;
  return n;
}

TEST(Wire, CamelCaseNullsAndRfc3339) {
  auto jv = boost::json::value_from(sample_snapshot());
  const auto& o = jv.as_object();
  EXPECT_EQ(o.at("collectedAt"), "2023-10-13T17:12:40.000Z");
  EXPECT_EQ(o.at("stale"), true);
  EXPECT_EQ(o.at("health").at("definitionsUpdated"), "2023-08-09T13:19:13.787Z");
  EXPECT_TRUE(o.at("health").at("enforcementLevel").is_null());
  EXPECT_EQ(o.at("scans").at(0).at("startTime"), "2023-10-13T13:42:53.732Z");
  EXPECT_EQ(o.at("scans").at(0).at("durationMs"), 58755);
  EXPECT_EQ(o.at("threats").at(0).at("raw").at("sha256"), "00ff");
  EXPECT_EQ(o.at("enforcement").at("level"), "Passive");
}

TEST(Wire, RoundTripIsLossless) {
  NodeSnapshot original = sample_snapshot();
  auto first = boost::json::value_from(original);
  auto back = snapshot_from_json(first);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  auto second = boost::json::value_from(*back);
  EXPECT_EQ(boost::json::serialize(first), boost::json::serialize(second));
}

TEST(Wire, RejectsWrongTypesWithThePath) {
  auto bad = snapshot_from_json(boost::json::parse(R"({"node":"n","scans":[{"startTime":true}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "scans[0].startTime");
  auto bad_level = snapshot_from_json(boost::json::parse(R"({"enforcement":{"level":"Sometimes"}})"));
  ASSERT_FALSE(bad_level.ok());
  EXPECT_EQ(bad_level.error().field, "enforcement.level");
}

}  // namespace
}  // namespace nexus_mde
