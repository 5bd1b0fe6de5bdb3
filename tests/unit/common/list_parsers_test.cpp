// Scan list, threat list, quarantine list and scan output.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/mdatp/mdatp_parsers.hpp"
#include "common/sys/time.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

using testing::read_fixture;

TEST(ScanList, NexusSampleWithStringNumbers) {
  auto scans = parse_scan_list_json(read_fixture("mdatp/nexus-scanList.json"));
  ASSERT_TRUE(scans.ok()) << scans.error().describe();
  ASSERT_EQ(scans->size(), 2u);
  const ScanRecord& s = (*scans)[0];
  EXPECT_EQ(s.type, "quick");
  EXPECT_EQ(s.state, "succeeded");
  EXPECT_EQ(s.start_ms, 1697204573732);
  EXPECT_EQ(*format_rfc3339_ms(*s.start_ms), "2023-10-13T13:42:53.732Z");
  EXPECT_EQ(s.end_ms, 1697204632487);
  EXPECT_EQ(s.duration_ms(), 58755);
  EXPECT_EQ(s.files_scanned, 1750);
  EXPECT_EQ(s.threat_count, 0);
  EXPECT_TRUE(s.raw.empty());
}

TEST(ScanList, AbsentFieldsStayUnknown) {
  auto scans = parse_scan_list_json(R"([{"type":"full"}])");
  ASSERT_TRUE(scans.ok());
  const ScanRecord& s = (*scans)[0];
  EXPECT_FALSE(s.start_ms.has_value());
  EXPECT_FALSE(s.files_scanned.has_value());
  EXPECT_FALSE(s.threat_count.has_value());
  EXPECT_FALSE(s.duration_ms().has_value());
}

TEST(ScanList, BadValuesNameTheElementAndField) {
  auto r = parse_scan_list_json(R"([{"startTime":"1697204573732"},{"startTime":"soon"}])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "scans[1].startTime");
  auto neg = parse_scan_list_json(R"([{"filesScanned":-4}])");
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.error().field, "scans[0].filesScanned");
  EXPECT_FALSE(parse_scan_list_json(R"({"scans":[]})").ok());
  EXPECT_FALSE(parse_scan_list_json(R"([42])").ok());
}

TEST(ScanList, UnknownFieldsAreKept) {
  auto r = parse_scan_list_json(R"([{"type":"quick","engineVersion":"1.2","tags":["a"]}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].raw.at("engineVersion"), "1.2");
  EXPECT_TRUE((*r)[0].raw.at("tags").is_array());
}

TEST(ThreatList, NexusSampleGroupedByScanWithNumbers) {
  std::string text = read_fixture("mdatp/nexus-threatInformation.json");
  auto doc = boost::json::parse(text);
  auto list = threat_list_from_json(doc.at("list"), "list");
  ASSERT_TRUE(list.ok()) << list.error().describe();
  ASSERT_EQ(list->scans.size(), 2u);
  EXPECT_EQ(list->scans[1].start_ms, 1697217113457);
  EXPECT_EQ(list->scans[1].files_scanned, 1750);
  EXPECT_TRUE(list->threats.empty());
}

TEST(ThreatList, ThreatStatusIsTheLatestHistoryEntry) {
  auto list = parse_threat_list_json(R"({"threats":{"scans":[{"type":"quick","start_time":1697217113457,
      "threats":[{"threat":{"tracking_id":"abc","name":"Virus:DOS/EICAR_Test_File","type":"virus","path":"/tmp/e"},
                  "history":[{"key":20,"value":"quarantined"},{"key":10,"value":"detected"}]}]}]}})");
  ASSERT_TRUE(list.ok()) << list.error().describe();
  ASSERT_EQ(list->threats.size(), 1u);
  const Threat& t = list->threats[0];
  EXPECT_EQ(t.id, "abc");
  EXPECT_EQ(t.name, "Virus:DOS/EICAR_Test_File");
  EXPECT_EQ(t.status, "quarantined");
  EXPECT_EQ(t.path, "/tmp/e");
  EXPECT_EQ(t.scan_type, "quick");
  EXPECT_EQ(t.scan_start_ms, 1697217113457);
  EXPECT_TRUE(t.raw.at("history").is_array());
  EXPECT_EQ(list->scans[0].threat_count, 1);
}

TEST(ThreatList, EmptyOrAbsentIsEmpty) {
  EXPECT_TRUE(parse_threat_list_json(R"({"threats":{"scans":[]}})")->threats.empty());
  EXPECT_TRUE(parse_threat_list_json(R"({})")->threats.empty());
  auto bad = parse_threat_list_json(R"({"threats":{"scans":[{"threats":[{"threat":{"name":[7]}}]}]}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "threatList.threats.scans[0].threats[0].threat.name");
}

TEST(ThreatListText, BlocksAndNoThreats) {
  auto none = parse_threat_list_text("No threats\n");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto two = parse_threat_list_text(
      "Id: 11\nName: Virus:DOS/EICAR_Test_File\nType: \"virus\"\nDetection time: Sun Jun 21 23:17:07 2026\n"
      "Status: \"quarantined\"\nPath: \"/tmp/eicar.com.txt\"\n\nId: 12\nName: Trojan:Linux/X\nStatus: "
      "\"removed\"\n");
  ASSERT_TRUE(two.ok()) << two.error().describe();
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].type, "virus");
  EXPECT_EQ((*two)[0].path, "/tmp/eicar.com.txt");
  EXPECT_EQ(*format_rfc3339_ms(*(*two)[0].detected_ms), "2026-06-21T23:17:07.000Z");
  EXPECT_EQ((*two)[1].status, "removed");
  auto bad = parse_threat_list_text("Id: 1\nDetection time: someday\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().line, 2u);
}

TEST(QuarantineList, NexusSampleAndEntries) {
  auto doc = boost::json::parse(read_fixture("mdatp/nexus-threatInformation.json"));
  auto empty = quarantine_list_from_json(doc.at("quarantineList"), "quarantineList");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto one = parse_quarantine_list_json(
      R"({"type":"quarantined","threats":[{"threat":{"tracking_id":"q1","name":"Virus:DOS/EICAR_Test_File","path":"/tmp/e"}}]})");
  ASSERT_TRUE(one.ok()) << one.error().describe();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].id, "q1");
  EXPECT_EQ((*one)[0].path, "/tmp/e");
  EXPECT_FALSE(parse_quarantine_list_json(R"({"threats":{}})").ok());
}

TEST(ScanOutput, UnlicensedCustomScanSample) {
  auto r = parse_scan_output(read_fixture("mdatp/scan-custom-101.02.55-unlicensed.txt"));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->files_scanned, 1);
  EXPECT_EQ(r->threats_detected, 0);
  auto tabbed = parse_scan_output("Scan has finished\n\t12 file(s) scanned\n\t2 threat(s) detected\n");
  ASSERT_TRUE(tabbed.ok());
  EXPECT_EQ(tabbed->threats_detected, 2);
  EXPECT_FALSE(parse_scan_output("Scan has finished\n").ok());
  EXPECT_FALSE(parse_scan_output("garbage").ok());
}

}  // namespace
}  // namespace nexus_mde
