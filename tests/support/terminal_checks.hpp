// Checks that text meant for an operator's terminal holds none of the bytes a terminal acts on
// that a node or a file could have sent: ESC, BEL, DEL and the C1 control CSI (U+009B).
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace nexus_mde::testing {

inline void expect_no_terminal_controls(const std::string& text, const std::string& where) {
  for (const auto& [bytes, name] : {std::pair<std::string, const char*>{"\x1b", "ESC"},
                                    {"\a", "BEL"},
                                    {"\x7f", "DEL"},
                                    {"\xc2\x9b", "CSI (U+009B)"}}) {
    EXPECT_EQ(text.find(bytes), std::string::npos) << where << ": a raw " << name << " in\n" << text;
  }
}

}  // namespace nexus_mde::testing
