#include "plugin/output/document_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <boost/json.hpp>

namespace nexus_mde::plugin {
namespace {

namespace json = boost::json;

std::string write(OutputFormat format, const json::value& v) {
  std::ostringstream out;
  auto w = make_document_writer(format, out);
  w->value(v);
  w->finish();
  return out.str();
}

const char* kNested =
    R"({"a":1,"b":[],"c":{},"d":[{"x":"y","z":[1,[2,3]]},[]],"e":{"f":{"g":null}},"h":"no","i":"line\nbreak","key with space":true})";

TEST(JsonWriter, StreamedEqualsSerialized) {
  std::ostringstream out;
  auto w = make_document_writer(OutputFormat::kJson, out);
  w->begin_object();
  w->key("reports");
  w->begin_array();
  w->value(json::parse(kNested));
  w->begin_object();
  w->end_object();
  w->end_array();
  w->field("n", 2);
  w->end_object();
  w->finish();
  auto expected = json::object{{"reports", json::array{json::parse(kNested), json::object{}}}, {"n", 2}};
  EXPECT_EQ(json::parse(out.str()), json::value(expected));
}

TEST(YamlWriter, BlockStyleWithQuotedStringsAndFlowEmpties) {
  EXPECT_EQ(write(OutputFormat::kYaml, json::parse(kNested)),
            "a: 1\n"
            "b: []\n"
            "c: {}\n"
            "d:\n"
            "- x: \"y\"\n"
            "  z:\n"
            "  - 1\n"
            "  - - 2\n"
            "    - 3\n"
            "- []\n"
            "e:\n"
            "  f:\n"
            "    g: null\n"
            "h: \"no\"\n"
            "i: \"line\\nbreak\"\n"
            "\"key with space\": true\n");
}

TEST(YamlWriter, TopLevelScalarsAndEmpties) {
  EXPECT_EQ(write(OutputFormat::kYaml, json::array{}), "[]\n");
  EXPECT_EQ(write(OutputFormat::kYaml, json::object{}), "{}\n");
  EXPECT_EQ(write(OutputFormat::kYaml, "x"), "\"x\"\n");
}

}  // namespace
}  // namespace nexus_mde::plugin
