// The report's record serializer: every record becomes text, in order, in its own section,
// whether the file is small (no thread) or large (batches through the serializer's thread).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <boost/json.hpp>

#include "plugin/report/record_serializer.hpp"
#include "tests/unit/plugin/text_of.hpp"

namespace nexus_mde::plugin {
namespace {

namespace json = boost::json;

// A section's records as a JSON list (its text lacks the closing bracket).
std::string text_of(const TextBuffer& section) {
  std::string s = testing::text_of(section);
  return s.empty() ? s : s + "]";
}

ScanRecord scan_numbered(std::size_t i) {
  ScanRecord s;
  s.id = "scan-" + std::to_string(i);
  s.start_ms = 1697204573732 + static_cast<std::int64_t>(i);
  return s;
}

Threat threat_numbered(std::size_t i) {
  Threat t;
  t.id = "threat-" + std::to_string(i);
  return t;
}

// Adds `scans` scans, a threat after every third and a quarantine entry after every fifth.
void feed(RecordSerializer& records, std::size_t scans) {
  for (std::size_t i = 0; i < scans; ++i) {
    records.add(scan_numbered(i));
    if (i % 3 == 0) records.add(threat_numbered(i));
    if (i % 5 == 0) {
      QuarantineEntry q;
      q.id = "q-" + std::to_string(i);
      records.add(std::move(q));
    }
  }
}

void expect_sections(RecordSerializer::Sections& sections, std::size_t scans) {
  auto scan_list = json::parse(text_of(sections.scans)).as_array();
  ASSERT_EQ(scan_list.size(), scans);
  for (std::size_t i = 0; i < scans; ++i) {
    ASSERT_EQ(scan_list[i].at("id"), json::value("scan-" + std::to_string(i)))
        << "scan " << i << " in its place";
  }
  EXPECT_EQ(scan_list[0].at("startTime"), "2023-10-13T13:42:53.732Z");
  auto threats = json::parse(text_of(sections.threats)).as_array();
  ASSERT_EQ(threats.size(), (scans + 2) / 3);
  EXPECT_EQ(threats.back().at("id"), json::value("threat-" + std::to_string((scans - 1) / 3 * 3)));
  auto quarantine = json::parse(text_of(sections.quarantine)).as_array();
  ASSERT_EQ(quarantine.size(), (scans + 4) / 5);
  EXPECT_EQ(quarantine[1].at("id"), "q-5");
}

TEST(RecordSerializer, ASmallFileIsSerializedInPlace) {
  RecordSerializer records;
  feed(records, 10);
  expect_sections(records.drain(), 10);
}

TEST(RecordSerializer, ALargeFileGoesThroughItsThreadInOrderAndWhole) {
  RecordSerializer records;
  feed(records, 20000);  // many batches, more than the queue holds: the parser waits for the thread
  expect_sections(records.drain(), 20000);
}

TEST(RecordSerializer, ClearStartsTheNextFileEmpty) {
  RecordSerializer records;
  feed(records, 5000);
  records.clear();
  auto& empty = records.drain();
  EXPECT_TRUE(empty.scans.empty());
  EXPECT_TRUE(empty.threats.empty());
  EXPECT_TRUE(empty.quarantine.empty());
  feed(records, 3000);
  expect_sections(records.drain(), 3000);
  feed(records, 7);  // records of a file abandoned halfway are discarded with the serializer
}

TEST(RecordSerializer, AFileAbandonedHalfwayLeavesNothingForTheNext) {
  RecordSerializer records;
  feed(records, 9000);  // batches queued and in the thread's hands
  records.clear();
  feed(records, 600);
  expect_sections(records.drain(), 600);
}

// How the report's parser uses the arena: storage() before each record, except that a threat
// list's scan asks once and its threats follow one by one, across the batch size.
TEST(RecordSerializer, RecordsMadeInItsArenaStayWholeAcrossBatches) {
  RecordSerializer records;
  const std::size_t scans = 8000, per_scan = 3;  // a dozen batches
  for (std::size_t i = 0; i < scans; ++i) {
    json::storage_ptr storage = records.storage();
    for (std::size_t k = 0; k < per_scan; ++k) {
      Threat t;
      std::destroy_at(&t.raw);
      std::construct_at(&t.raw, storage);
      t.raw["sha256"] = std::string(64, static_cast<char>('a' + k)) + std::to_string(i);
      t.raw["history"] = json::array({json::object{{"key", i}, {"value", "quarantined"}}}, storage);
      records.add(std::move(t));
    }
  }
  auto threats = json::parse(text_of(records.drain().threats)).as_array();
  ASSERT_EQ(threats.size(), scans * per_scan);
  for (std::size_t i = 0; i < scans * per_scan; ++i) {
    const auto& raw = threats[i].at("raw");
    ASSERT_EQ(raw.at("sha256"), json::value(std::string(64, static_cast<char>('a' + i % per_scan)) +
                                            std::to_string(i / per_scan)))
        << "threat " << i;
    ASSERT_EQ(raw.at("history").at(0).at("key"), json::value(i / per_scan));
  }
}

TEST(RecordSerializer, ARecordBeingMadeWhenTheFileIsAbandonedIsHarmless) {
  RecordSerializer records;
  feed(records, 2000);
  Threat half_made;  // the parser's record in progress, in the arena, when the file turned out bad
  std::destroy_at(&half_made.raw);
  std::construct_at(&half_made.raw, records.storage());
  half_made.raw["path"] = std::string(200, 'p');
  records.clear();
  feed(records, 600);  // the arena is reused
  expect_sections(records.drain(), 600);
}

}  // namespace
}  // namespace nexus_mde::plugin
