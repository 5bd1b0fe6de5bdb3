#include "plugin/output/table.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nexus_mde::plugin {
namespace {

TEST(Table, AlignsByCodePointsAndTrimsTrailingSpace) {
  Table t({"NODE", "STATE", "NOTE"});
  t.add_row({"r01", "ok", ""});
  t.add_row({"räck02", "unreachable", "x"});
  std::ostringstream out;
  t.print(out, "  ");
  EXPECT_EQ(out.str(),
            "  NODE    STATE        NOTE\n"
            "  r01     ok\n"
            "  räck02  unreachable  x\n");
}

TEST(Table, TsvReplacesSeparatorsInsideCells) {
  Table t({"A", "B"});
  t.add_row({"a\tb", "c\nd"});
  t.add_row({"only"});
  std::ostringstream out;
  t.print_tsv(out);
  EXPECT_EQ(out.str(), "a b\tc d\nonly\t\n");
}

}  // namespace
}  // namespace nexus_mde::plugin
