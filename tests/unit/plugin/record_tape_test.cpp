// The record tape: replayed, every record is the text JsonTextWriter writes for it, in order, in
// its section; raw objects and packed unknown fields alike, nested records included.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/model/json_text.hpp"
#include "common/model/unknown_fields.hpp"
#include "plugin/report/record_tape.hpp"
#include "tests/unit/plugin/text_of.hpp"

namespace nexus_mde::plugin {
namespace {

namespace json = boost::json;

using testing::text_of;

Threat threat_named(const std::string& id) {
  Threat t;
  t.id = id;
  t.name = "Virus:DOS/EICAR_Test_File";
  t.path = "/tmp/\"quoted\"\n/eicar.com";
  t.detected_ms = 1697204574732;
  t.raw["sha256"] = std::string(64, 'e');
  t.raw["history"] = json::array{json::object{{"key", 1}, {"value", "quarantined"}}};
  return t;
}

// Unknown fields packed as the report's parser packs them.
std::string packed_fields() {
  UnknownFields fields;
  json::object unused;
  fields.start(true);
  Scalar text;
  text.kind = Scalar::Kind::kString;
  text.s = "on_demand_scan";
  fields.add(unused, "detection_source", text);
  fields.add(unused, "history",
             json::value(json::array{json::object{{"key", 2}, {"value", "removed"}}, 3.5, nullptr}));
  return std::string(fields.packed());
}

template <typename Record>
std::string expected_text(const Record& r, std::string_view packed = {}) {
  std::string text;
  JsonTextWriter(text).record(r, packed);
  return text;
}

TEST(RecordTape, ReplaysEachRecordAsItsTextInItsSection) {
  ScanRecord scan;
  scan.id = "scan-1";
  scan.type = "quick";
  scan.start_ms = 1697204573732;
  scan.end_ms = 1697204632487;
  scan.threat_count = 2;
  scan.threats = {threat_named("nested-1"), threat_named("nested-2")};
  scan.raw["engineVersion"] = "1.1.23070.1002";
  Threat listed = threat_named("listed");
  listed.scan_type = "full";
  listed.raw.clear();  // its fields come packed
  QuarantineEntry entry;
  entry.id = "q-1";
  entry.quarantined_ms = 5;
  entry.raw["status"] = "quarantined";
  ScanRecord bare;  // every field unknown
  std::string packed = packed_fields();
  ScanRecord packed_scan = scan;  // its own fields packed, its nested threats' in their objects
  packed_scan.raw.clear();

  std::string scans =
      "[" + expected_text(scan) + "," + expected_text(bare) + "," + expected_text(packed_scan, packed);
  std::string threats = "[" + expected_text(listed, packed) + "," + expected_text(threat_named("second"));
  std::string quarantine = "[" + expected_text(entry);

  RecordTape tape;
  tape.add(ScanRecord(scan), {});
  tape.add(Threat(listed), packed);
  tape.add(QuarantineEntry(entry));
  tape.add(ScanRecord(bare), {});
  tape.add(threat_named("second"), {});
  tape.add(ScanRecord(packed_scan), packed);
  EXPECT_EQ(tape.records(), 6u);
  SectionTexts texts;
  std::string scratch;
  tape.replay(texts, scratch);
  EXPECT_EQ(text_of(texts.scans), scans);
  EXPECT_EQ(text_of(texts.threats), threats);
  EXPECT_EQ(text_of(texts.quarantine), quarantine);
  // What the parser's own JSON reading makes of it: the packed fields are there, in order.
  auto listed_json = json::parse(text_of(texts.threats) + "]").as_array().at(0);
  EXPECT_EQ(json::serialize(listed_json.at("raw")),
            R"({"detection_source":"on_demand_scan","history":[{"key":2,"value":"removed"},3.5E0,null]})");
}

TEST(RecordTape, ClearedItHoldsOnlyWhatComesNext) {
  RecordTape tape;
  for (int i = 0; i < 100; ++i) tape.add(threat_named("old-" + std::to_string(i)), {});
  tape.clear();
  EXPECT_TRUE(tape.empty());
  tape.add(threat_named("new"), {});
  SectionTexts texts;
  std::string scratch;
  tape.replay(texts, scratch);
  EXPECT_EQ(text_of(texts.threats), "[" + expected_text(threat_named("new")));
  EXPECT_TRUE(texts.scans.empty());
}

}  // namespace
}  // namespace nexus_mde::plugin
