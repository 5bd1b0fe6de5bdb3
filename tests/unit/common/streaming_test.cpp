// The streamed readers must not care how the input is cut: every sample fed in 1-byte, 7-byte
// and random chunks gives exactly what the whole text gives, records handed to a sink included.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include <boost/json.hpp>

#include "common/mdatp/agent_information.hpp"
#include "common/model/json_text.hpp"
#include "common/model/model_builder.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;

std::string wire(const AgentInformation& info) {
  json::object o;
  o["health"] = info.health ? json::value_from(*info.health) : json::value(nullptr);
  o["scans"] = info.scans ? json::value_from(*info.scans) : json::value(nullptr);
  o["threats"] = info.threats ? json::value_from(*info.threats) : json::value(nullptr);
  o["quarantine"] = info.quarantine ? json::value_from(*info.quarantine) : json::value(nullptr);
  o["raw"] = info.raw;
  return json::serialize(o);
}

Result<AgentInformation> parse_in_chunks(const std::string& text, const std::vector<std::size_t>& sizes,
                                         RecordSink* sink = nullptr) {
  AgentInformationParser parser("chunks", sink);
  std::size_t pos = 0;
  for (std::size_t i = 0; pos < text.size(); ++i) {
    std::size_t n = std::min(sizes[i % sizes.size()], text.size() - pos);
    if (!parser.write(std::string_view(text).substr(pos, n))) break;
    pos += n;
  }
  return parser.finish();
}

// Escapes, unicode and long strings make keys and values straddle chunk boundaries.
std::string tricky_extract() {
  std::string long_path = "/var/lib/" + std::string(3000, 'x') + "/eicar.com.txt";
  return R"({"generalHealth":{"healthy":true,"appVersion":"101.23062.0010"},"scanList":[{"startTime":"1697204573732",)"
         R"("endTime":1697204632487,"type":"quick","state":"succeeded","filesScanned":"1750","n\u00e9w":"caf\u00e9 \"q\"",)"
         R"("threats":[{"threat":{"name":"Virus:DOS/EICAR_Test_File","path":")" +
         long_path +
         R"("},"history":[{"key":2,"value":"quarantined"}]}]}],"threatInformation":{"list":{"threats":{"scans":[)"
         R"({"type":"full","start_time":1697204573732,"threats":[{"threat":{"tracking_id":"t\n1","name":"x"}}]}]}},)"
         R"("quarantineList":{"type":"quarantined","threats":[{"threat":{"tracking_id":"q1"}}]},"other":[1,{"a":null}]},)"
         R"("extra\u0041":{"deep":[[[]]]}})";
}

class RecordingSink : public RecordSink {
 public:
  void scan(ScanRecord&& s, std::string_view packed_raw) override {
    EXPECT_TRUE(packed_raw.empty()) << "fields as text to a sink that takes objects";
    scans.push_back(std::move(s));
  }
  void threat(Threat&& t, std::string_view packed_raw) override {
    EXPECT_TRUE(packed_raw.empty()) << "fields as text to a sink that takes objects";
    threats.push_back(std::move(t));
  }
  void quarantine(QuarantineEntry&& q) override { entries.push_back(std::move(q)); }
  std::vector<ScanRecord> scans;
  std::vector<Threat> threats;
  std::vector<QuarantineEntry> entries;
};

TEST(Streaming, ChunkingNeverChangesTheResult) {
  std::vector<std::string> inputs = {tricky_extract()};
  for (const auto& name : testing::fixtures_in("extracts", ".json"))
    inputs.push_back(testing::read_fixture(name));
  std::mt19937 rng(7);
  for (const auto& text : inputs) {
    auto whole = parse_agent_information(text, "whole");
    ASSERT_TRUE(whole.ok()) << whole.error().describe();
    std::string expected = wire(*whole);
    std::vector<std::size_t> random_sizes;
    for (int i = 0; i < 64; ++i) random_sizes.push_back(1 + rng() % 40);
    for (const auto& sizes : std::vector<std::vector<std::size_t>>{{1}, {7}, {4096}, random_sizes}) {
      auto chunked = parse_in_chunks(text, sizes);
      ASSERT_TRUE(chunked.ok()) << chunked.error().describe();
      EXPECT_EQ(wire(*chunked), expected) << "chunk sizes starting " << sizes[0];
    }
  }
}

TEST(Streaming, TrickyValuesSurvive) {
  auto info = parse_in_chunks(tricky_extract(), {3});
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->scans->at(0).raw.at("n\xc3\xa9w"), "caf\xc3\xa9 \"q\"");
  EXPECT_EQ(info->scans->at(0).threats.at(0).path->size(), 3000u + 23u);
  EXPECT_EQ(info->scans->at(0).threats.at(0).status, "quarantined");
  EXPECT_EQ(info->threats->at(0).id, "t\n1");
  EXPECT_EQ(info->threats->at(0).scan_type, "full");
  EXPECT_EQ(info->quarantine->at(0).id, "q1");
  EXPECT_TRUE(info->raw.contains("extraA"));
  EXPECT_EQ(info->raw.at("threatInformation").at("other").at(1).at("a"), nullptr);
}

TEST(Streaming, SinkGetsEveryRecordAndListsStayPresent) {
  RecordingSink sink;
  auto info = parse_in_chunks(tricky_extract(), {5}, &sink);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(sink.scans.size(), 1u);
  EXPECT_EQ(sink.threats.size(), 1u);
  EXPECT_EQ(sink.entries.size(), 1u);
  ASSERT_TRUE(info->scans.has_value());
  EXPECT_TRUE(info->scans->empty());
  EXPECT_TRUE(info->threats.has_value());
  EXPECT_TRUE(info->health.has_value());
}

TEST(Streaming, ASinkGetsAThreatListsThreatsInOrderEachNamingItsScan) {
  // The first scan names its type and start before its threats, the second only after them,
  // the third not at all; one threat names a scan of its own.
  std::string text =
      R"({"threatInformation":{"list":{"threats":{"scans":[)"
      R"({"type":"full","start_time":1697204573732,"threats":[{"threat":{"tracking_id":"a"}},)"
      R"({"threat":{"tracking_id":"b","scanType":"custom"}}],"state":"succeeded"},)"
      R"({"threats":[{"threat":{"tracking_id":"c"}},{"threat":{"tracking_id":"d"}}],"type":"quick","start_time":1697204580000},)"
      R"({"threats":[{"threat":{"tracking_id":"e"}}]}]}}}})";
  auto whole = parse_agent_information(text, "whole");
  ASSERT_TRUE(whole.ok()) << whole.error().describe();
  for (std::size_t size : {1u, 9u, 4096u}) {
    RecordingSink sink;
    ASSERT_TRUE(parse_in_chunks(text, {size}, &sink).ok());
    ASSERT_EQ(sink.threats.size(), 5u);
    EXPECT_EQ(json::value_from(sink.threats), json::value_from(*whole->threats)) << "chunks of " << size;
    std::vector<std::string> named;
    for (const auto& t : sink.threats) {
      named.push_back(*t.id + " " + t.scan_type.value_or("?") + " " +
                      std::to_string(t.scan_start_ms.value_or(0)));
    }
    EXPECT_EQ(named, (std::vector<std::string>{"a full 1697204573732", "b custom 1697204573732",
                                               "c quick 1697204580000", "d quick 1697204580000", "e ? 0"}));
  }
}

// A sink that hands out a resource of its own before each record (as the report's arena does)
// and checks that each record's raw fields, nested ones included, were all made in it.
class StorageCheckingSink : public RecordSink {
 public:
  json::storage_ptr record_storage() override {
    resources_.push_back(std::make_unique<json::monotonic_resource>());
    return json::storage_ptr(resources_.back().get());
  }
  void scan(ScanRecord&& s, std::string_view) override {
    check(s.raw, "scan");
    for (const auto& t : s.threats) check(t.raw, "a scan's threat");
    records.push_back(json::value_from(s));
  }
  void threat(Threat&& t, std::string_view) override {
    check(t.raw, "threat");
    records.push_back(json::value_from(t));
  }
  void quarantine(QuarantineEntry&& q) override {
    check(q.raw, "quarantine entry");
    records.push_back(json::value_from(q));
  }
  std::vector<json::value> records;
  std::size_t asked() const { return resources_.size(); }

 private:
  void check(const json::object& o, const std::string& where) {
    ASSERT_FALSE(resources_.empty()) << where << " made before any storage was asked for";
    EXPECT_EQ(o.storage().get(), resources_.back().get()) << where << ": " << json::serialize(o);
    for (const auto& kv : o) check(kv.value(), where + "." + std::string(kv.key()));
  }
  void check(const json::value& v, const std::string& where) {
    EXPECT_EQ(v.storage().get(), resources_.back().get()) << where << ": " << json::serialize(v);
    if (const auto* o = v.if_object()) {
      check(*o, where);
    } else if (const auto* a = v.if_array()) {
      for (const auto& e : *a) check(e, where + "[]");
    }
  }
  std::vector<std::unique_ptr<json::monotonic_resource>> resources_;
};

TEST(Streaming, EveryRecordIsMadeInTheStorageItsSinkHandedOut) {
  std::string threat_list =
      R"({"scanList":[{"type":"quick","engineVersion":"1.1","extra":{"a":[1,"two"]},"raw":{"kept":"yes"}}],)"
      R"("threatInformation":{"list":{"threats":{"scans":[)"
      R"({"type":"full","start_time":1,"threats":[)"
      R"({"threat":{"tracking_id":"a","sha256":"e79f609a4150ac1ab62e2e1856717bf208c17fe103567c66c21ac5036715a655","more":{"x":[1]}},)"
      R"("history":[{"key":1,"value":"detected"},{"key":2,"value":"quarantined"}],"note":"outer field"},)"
      R"({"threat":{"tracking_id":"b","process_name":"/usr/bin/cp"},"history":[{"key":3,"value":"removed"}]}]},)"
      R"({"type":"quick","start_time":2,"threats":[{"threat":{"tracking_id":"c","user":"root"}}]}]}},)"
      R"("quarantineList":{"type":"quarantined","threats":[{"threat":{"tracking_id":"q","quarantineTime":5,"user":"root"},)"
      R"("history":[{"key":4,"value":"quarantined"}]}]}}})";
  std::vector<std::string> inputs = {threat_list, tricky_extract()};
  for (const auto& name : testing::fixtures_in("extracts", ".json"))
    inputs.push_back(testing::read_fixture(name));
  for (const auto& text : inputs) {
    StorageCheckingSink checked;
    RecordingSink plain;
    ASSERT_TRUE(parse_in_chunks(text, {7}, &checked).ok());
    ASSERT_TRUE(parse_in_chunks(text, {4096}, &plain).ok());
    std::vector<json::value> expected;
    for (const auto& s : plain.scans) expected.push_back(json::value_from(s));
    for (const auto& t : plain.threats) expected.push_back(json::value_from(t));
    for (const auto& q : plain.entries) expected.push_back(json::value_from(q));
    std::sort(expected.begin(), expected.end(),
              [](const auto& a, const auto& b) { return json::serialize(a) < json::serialize(b); });
    std::sort(checked.records.begin(), checked.records.end(),
              [](const auto& a, const auto& b) { return json::serialize(a) < json::serialize(b); });
    EXPECT_EQ(checked.records, expected) << "the same records, whatever storage they were made in";
    EXPECT_GE(checked.asked(), plain.scans.size() + plain.entries.size());
  }
}

// A sink that takes unknown fields packed, as the report's JSON printer does, and writes each
// record as that printer does (JsonTextWriter); a record's fields must not come both ways.
class PackedRawSink : public RecordSink {
 public:
  bool takes_packed_raw() const override { return true; }
  void scan(ScanRecord&& s, std::string_view packed_raw) override {
    scans.push_back(text_of(s, packed_raw, "scan"));
  }
  void threat(Threat&& t, std::string_view packed_raw) override {
    threats.push_back(text_of(t, packed_raw, "threat"));
  }
  void quarantine(QuarantineEntry&& q) override { entries.push_back(text_of(q, {}, "quarantine entry")); }
  std::vector<std::string> scans, threats, entries;

 private:
  template <typename Record>
  static std::string text_of(const Record& r, std::string_view packed_raw, const char* what) {
    if (!packed_raw.empty()) {
      EXPECT_TRUE(r.raw.empty()) << what << "'s fields came in its object too: " << json::serialize(r.raw);
    }
    std::string text;
    JsonTextWriter(text).record(r, packed_raw);
    return text;
  }
};

template <typename Record>
std::vector<std::string> serialized(const std::optional<std::vector<Record>>& records) {
  std::vector<std::string> out;
  for (const auto& r : records.value_or(std::vector<Record>{}))
    out.push_back(json::serialize(json::value_from(r)));
  return out;
}

TEST(Streaming, PackedUnknownFieldsAreTheFieldsOfTheTreeInTheirOrder) {
  // Values of every kind; keys given twice (the later value replaces the earlier in its place,
  // packed as in an object), also through a wire-form "raw" and a history twice over; threats
  // inside a scan-list scan, and threats that wait for their scan to name itself.
  std::string edges =
      R"({"scanList":[{"type":"quick","s":"a\"b\u0001\u00e9","d":0.1,"big":1e300,"neg":-5,"u":18446744073709551615,)"
      R"("t":true,"f":false,"n":null,"o":{"k":[1,{"z":[]},-2.5e-7]},"e":{}},)"
      R"({"type":"custom","x":1,"y":2,"b":true,"v":[1.5,"s",null,{"k":false},-1,18446744073709551615],"x":3,"raw":{"z":5,"x":4}},)"
      R"({"type":"full","threats":[{"threat":{"tracking_id":"n","sha1":"x"},"history":[{"key":1,"value":"removed"}]}]}],)"
      R"("threatInformation":{"list":{"threats":{"scans":[)"
      R"({"threats":[{"threat":{"tracking_id":"w","md5":"a","md5":"b"},"history":"none"}],"type":"quick","start_time":1},)"
      R"({"type":"full","start_time":2,"threats":[{"threat":{"tracking_id":"h","history":[1]},)"
      R"("history":[{"key":1,"value":"detected"}]},{"threat":{"tracking_id":"p","score":0.5},"sha":"outer",)"
      R"("history":[{"key":7,"value":"quarantined"}]}]}]}},)"
      R"("quarantineList":[{"threat":{"tracking_id":"q","quarantineTime":5,"user":"root"}}]}})";
  std::vector<std::string> inputs = {edges, tricky_extract()};
  for (const auto& name : testing::fixtures_in("extracts", ".json"))
    inputs.push_back(testing::read_fixture(name));
  for (const auto& text : inputs) {
    auto tree = parse_agent_information(text, "tree");
    ASSERT_TRUE(tree.ok()) << tree.error().describe();
    for (std::size_t size : {1u, 7u, 4096u}) {
      PackedRawSink sink;
      ASSERT_TRUE(parse_in_chunks(text, {size}, &sink).ok());
      EXPECT_EQ(sink.scans, serialized(tree->scans)) << "chunks of " << size;
      EXPECT_EQ(sink.threats, serialized(tree->threats)) << "chunks of " << size;
      EXPECT_EQ(sink.entries, serialized(tree->quarantine)) << "chunks of " << size;
    }
  }
  // The edge cases are there: packed values of every kind, and a repeat's value in the first place.
  PackedRawSink sink;
  ASSERT_TRUE(parse_in_chunks(edges, {4096}, &sink).ok());
  EXPECT_NE(sink.scans.at(0).find(
                R"("raw":{"s":"a\"b\u0001é","d":1E-1,"big":1E300,"neg":-5,"u":18446744073709551615,)"
                R"("t":true,"f":false,"n":null,"o":{"k":[1,{"z":[]},-2.5E-7]},"e":{}})"),
            std::string::npos)
      << sink.scans.at(0);
  EXPECT_NE(
      sink.scans.at(1).find(
          R"("raw":{"x":4,"y":2,"b":true,"v":[1.5E0,"s",null,{"k":false},-1,18446744073709551615],"z":5})"),
      std::string::npos)
      << sink.scans.at(1);
  EXPECT_NE(sink.threats.at(0).find(R"("raw":{"md5":"b","history":"none"})"), std::string::npos)
      << sink.threats.at(0);
  EXPECT_NE(sink.threats.at(2).find(
                R"("raw":{"score":5E-1,"sha":"outer","history":[{"key":7,"value":"quarantined"}]})"),
            std::string::npos)
      << sink.threats.at(2);
}

TEST(Streaming, ErrorsAreTheSameWhateverTheChunks) {
  std::string bad = R"({"scanList":[{"startTime":"1"},{"startTime":"soon"}]})";
  for (std::size_t size : {1u, 2u, 1000u}) {
    auto r = parse_in_chunks(bad, {size});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().field, "scanList[1].startTime");
  }
  auto truncated = parse_in_chunks(
      testing::read_fixture("extracts/rack1control01.mde-agent-information.json").substr(0, 500), {9});
  ASSERT_FALSE(truncated.ok());
  EXPECT_TRUE(truncated.error().offset.has_value());
  auto garbage = parse_in_chunks("{\"scanList\": [ }", {1});
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(*garbage.error().offset, 15u);
}

}  // namespace
}  // namespace nexus_mde
