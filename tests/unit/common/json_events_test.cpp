// What JsonEventParser and ModelBuilder tell about where a parse stands, which reading a file in
// two parts at once relies on (plugin/report/split_parse.hpp, tested end to end beside it).
#include <gtest/gtest.h>

#include <string>

#include "common/json/json_events.hpp"
#include "common/model/model_builder.hpp"

namespace nexus_mde {
namespace {

// Counts the events it gets.
struct Counter final : JsonEvents {
  int closes = 0;
  int scalars = 0;
  bool begin_object() override { return true; }
  bool end_object() override { return ++closes > 0; }
  bool begin_array() override { return true; }
  bool end_array() override { return ++closes > 0; }
  bool key(std::string_view) override { return true; }
  bool scalar(const Scalar&) override { return ++scalars > 0; }
};

TEST(JsonEventPositions, InsideTextWhileAKeyOrStringIsCutOff) {
  Counter events;
  JsonEventParser parser(events);
  ASSERT_TRUE(parser.write(R"({"ab)"));
  EXPECT_TRUE(parser.positions().inside_text());
  ASSERT_TRUE(parser.write(R"(c": "}, {)"));
  EXPECT_TRUE(parser.positions().inside_text());
  ASSERT_TRUE(parser.write(R"(d"})"));
  EXPECT_FALSE(parser.positions().inside_text());
  EXPECT_TRUE(parser.finish());
}

TEST(JsonEventPositions, TheRegionEndsAtItsCloseWithoutAnErrorAndTheLastTextSaysWhere) {
  Counter events;
  JsonEventParser parser(events, /*track_positions=*/true);
  const std::string head = R"({"a": [)";
  ASSERT_TRUE(parser.write(head));
  EXPECT_EQ(parser.positions().depth(), 2);
  parser.positions().stop_at_close();
  const std::string rest = R"({"k": "v"}, [12], 34, true], "b": 1})";
  EXPECT_FALSE(parser.write(rest));
  EXPECT_TRUE(parser.positions().closed_region());
  EXPECT_FALSE(parser.syntax_error());
  EXPECT_EQ(events.closes, 2);  // the object and [12]; not the region's own close
  EXPECT_EQ(events.scalars, 4);
  auto text = parser.positions().last_text_end();
  ASSERT_TRUE(text);
  EXPECT_EQ((head + rest).substr(text->offset), R"(, true], "b": 1})");  // just past 34
  EXPECT_EQ(text->depth, 2);
}

TEST(JsonEventPositions, TextUnescapedInABufferIsNotWhereTheInputStands) {
  Counter events;
  JsonEventParser parser(events, /*track_positions=*/true);
  const std::string text = R"({"a": ["x\u0041"]})";
  ASSERT_TRUE(parser.write(text));
  auto end = parser.positions().last_text_end();
  ASSERT_TRUE(end);
  EXPECT_EQ(text.substr(end->offset), R"(: ["x\u0041"]})");  // past the key, the last read in place
  EXPECT_EQ(end->depth, 1);
}

TEST(JsonEventPositions, SkippedBytesCountInErrorOffsets) {
  Counter a, b;
  JsonEventParser skipping(a), reading(b);
  ASSERT_TRUE(skipping.write("[1, "));
  skipping.positions().skipped(100);
  EXPECT_FALSE(skipping.write("2,]"));
  ASSERT_TRUE(reading.write("[1, " + std::string(100, ' ')));
  EXPECT_FALSE(reading.write("2,]"));
  ASSERT_TRUE(skipping.syntax_error() && reading.syntax_error());
  EXPECT_EQ(skipping.syntax_error()->offset, reading.syntax_error()->offset);
}

std::optional<std::string> place_after(const std::string& text) {
  ModelBuilder builder(ModelRoot::kAgentInformation, "");
  JsonEventParser parser(builder);
  parser.write(text);
  return builder.place();
}

TEST(ModelBuilderPlace, IsTheOpenContainersNotWhatCameBefore) {
  auto prefix = place_after(R"({"threatInformation":{"list":{"threats":{"scans":[)");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(
      place_after(
          R"({"scanList": [], "threatInformation": {"x": 1, "list": {"threats": {"scans": [{"type": "quick"})"),
      prefix);
  EXPECT_NE(place_after(R"({"threatInformation":{"list":{"threats":{"scans":[{"type": "quick")"),
            prefix);  // in a scan
  EXPECT_NE(place_after(R"({"scanList":[)"), prefix);
  EXPECT_NE(place_after(R"({"threatInformation":{"list":{"scans":[)"), prefix);  // another way to the scans
  EXPECT_FALSE(place_after(R"({"scanList": [{"startTime": true})"));             // an error
  EXPECT_FALSE(place_after(R"({"mdeConfiguration": {"x": [)"));                  // a captured value
}

}  // namespace
}  // namespace nexus_mde
