// What a node or a file may send must not drive the operator's terminal.
#include "common/sys/terminal_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nexus_mde {
namespace {

TEST(TerminalText, ControlsBecomeVisibleEscapes) {
  // The screen-clearing, title-setting definitions version of the hostile-node report.
  EXPECT_EQ(visible_text("1.395\x1b[2J\x1b]0;pwned\a"), "1.395\\x1b[2J\\x1b]0;pwned\\x07");
  EXPECT_EQ(visible_text("a\tb\nc\rd"), "a b c d");
  EXPECT_EQ(visible_text(std::string("nul\0del\x7f", 8)), "nul\\x00del\\x7f");
  // C1 controls are code points U+0080-U+009F: CSI (U+009B) and NEL (U+0085).
  EXPECT_EQ(visible_text("x\xc2\x9b"
                         "2Jy\xc2\x85"),
            "x\\u009b2Jy\\u0085");
  // Bytes that are not UTF-8: a lone CSI byte, a cut sequence, an overlong form, a surrogate.
  EXPECT_EQ(visible_text("\x9b"
                         "2J"),
            "\\x9b2J");
  EXPECT_EQ(visible_text("caf\xc3"), "caf\\xc3");
  EXPECT_EQ(visible_text("\xc0\xaf"), "\\xc0\\xaf");
  EXPECT_EQ(visible_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

TEST(TerminalText, PrintableTextIsKept) {
  for (std::string s : {"rack1compute01", "Virus:DOS/EICAR_Test_File",
                        "caf\xc3\xa9 \xc2\xa0 \xe2\x82\xac \xf0\x9f\x9b\xa1", "C:\\path\\x1b", ""}) {
    EXPECT_EQ(visible_text(s), s);
    EXPECT_EQ(visible_text(visible_text(s)), s);
  }
  EXPECT_EQ(visible_text(visible_text("\x1b[2J")), "\\x1b[2J") << "escaping twice changes nothing more";
}

TEST(TerminalText, JsonEscapesDelAndC1InAnyCut) {
  const std::string text =
      "[\"a\x7f"
      "b\xc2\x9b"
      "c\xc2\xa9"
      "d\xc3\xa9\"]";
  const std::string want =
      "[\"a\\u007fb\\u009bc\xc2\xa9"
      "d\xc3\xa9\"]";
  EXPECT_EQ(escape_json_controls(text), want);
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    std::string out;
    JsonControlEscaper e;
    e.write(std::string_view(text).substr(0, cut), out);
    e.write(std::string_view(text).substr(cut), out);
    e.finish(out);
    EXPECT_EQ(out, want) << "cut at " << cut;
  }
  std::string ends_in_lead;
  JsonControlEscaper e;
  e.write("x\xc2", ends_in_lead);
  e.finish(ends_in_lead);
  EXPECT_EQ(ends_in_lead, "x\xc2");
}

}  // namespace
}  // namespace nexus_mde
