// The direct text writer must print exactly what serializing the tree prints, with DEL and the C1
// controls escaped (terminal_text.hpp).
#include "common/model/json_text.hpp"
#include "common/sys/terminal_text.hpp"

#include <gtest/gtest.h>

#include <limits>

#include <boost/json.hpp>

#include "common/mdatp/agent_information.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

namespace json = boost::json;

template <typename Record>
void expect_same_text(const Record& r) {
  std::string text;
  JsonTextWriter(text).record(r);
  EXPECT_EQ(text, escape_json_controls(json::serialize(json::value_from(r))));
}

TEST(JsonText, EqualsTheSerializedTreeForEverySampleRecord) {
  for (const auto& name : testing::fixtures_in("extracts", ".json")) {
    auto info = parse_agent_information(testing::read_fixture(name), name);
    ASSERT_TRUE(info.ok());
    for (const auto& s : *info->scans) expect_same_text(s);
    for (const auto& t : *info->threats) expect_same_text(t);
    for (const auto& q : *info->quarantine) expect_same_text(q);
  }
}

TEST(JsonText, EscapesLikeBoostJson) {
  Threat t;
  std::string all_controls;
  for (char c = 1; c < 0x20; ++c) all_controls += c;
  t.name = std::string("q\"b\\s/\x7f caf\xc3\xa9 \xc2\x9b\xc2\x80\xc2\xa0") + all_controls +
           std::string(1, '\0') + "end";
  t.path = "";
  t.detected_ms = 0;
  t.scan_type = "quick";
  t.raw["k\n"] = json::array{1, "x\ty", nullptr, 2.5};
  expect_same_text(t);
  std::string text;
  JsonTextWriter(text).record(t);
  EXPECT_NE(text.find("\\u007f caf\xc3\xa9 \\u009b\\u0080\xc2\xa0"), std::string::npos) << text;
  ScanRecord s;
  s.id = "id";
  s.start_ms = 1697204573732;
  s.end_ms = 1697204632487;
  s.files_scanned = 0;
  s.threats = {t, t};
  expect_same_text(s);
  expect_same_text(ScanRecord{});
  expect_same_text(QuarantineEntry{});
}

TEST(JsonText, ValuesAreWrittenAsBoostJsonSerializesThem) {
  json::value v =
      json::parse(R"([null,true,false,0,-9223372036854775808,18446744073709551615,0.1,-0.0,1e300,5e-324,)"
                  R"("","q\"\\\u0000\u001f\u007f\u00e9",[],{},{"a":[{"b":{}}],"":1}])");
  v.as_array().emplace_back(std::numeric_limits<double>::infinity());
  std::string text;
  append_json_value(text, v);
  EXPECT_EQ(text, escape_json_controls(json::serialize(v)));
  EXPECT_NE(text.find(R"(\u007f)"), std::string::npos) << text;
  text.clear();
  append_json_object(text, v.as_array().at(14).as_object());
  EXPECT_EQ(text, R"({"a":[{"b":{}}],"":1})");
}

}  // namespace
}  // namespace nexus_mde
