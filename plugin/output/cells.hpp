// Table cells from optional model values: "-" for unknown, RFC 3339 for times, text as
// visible_text (a cell written straight to a stream, not through Table, is safe too).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/sys/terminal_text.hpp"
#include "common/sys/time.hpp"
#include "plugin/output/table.hpp"

namespace nexus_mde::plugin {

inline std::string cell(const std::optional<std::string>& v) { return v ? visible_text(*v) : kUnknownCell; }
inline std::string cell(const std::optional<std::int64_t>& v) {
  return v ? std::to_string(*v) : kUnknownCell;
}
inline std::string time_cell(const std::optional<std::int64_t>& ms) {
  if (!ms) return kUnknownCell;
  auto s = format_rfc3339_ms(*ms);
  return s ? *s : kUnknownCell;
}
inline std::string age_cell(const std::optional<std::int64_t>& ms, std::int64_t now_ms) {
  return ms ? human_age(*ms, now_ms) : kUnknownCell;
}
inline std::string flag_cell(const std::optional<bool>& v, const char* yes, const char* no) {
  return v ? (*v ? yes : no) : kUnknownCell;
}

}  // namespace nexus_mde::plugin
