// The text a TextBuffer holds, as one string, for tests to compare.
#pragma once

#include <string>

#include "plugin/output/text_buffer.hpp"

namespace nexus_mde::plugin::testing {

inline std::string text_of(const TextBuffer& buffer) {
  std::string s;
  for (auto piece : buffer.pieces()) s += piece;
  return s;
}

}  // namespace nexus_mde::plugin::testing
