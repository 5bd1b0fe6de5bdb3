// Colour in tables, for people at a terminal only: a cell's colour says how a node stands (green
// ok, yellow no answer, red failed). It is off when stdout is not a terminal, when TERM is dumb,
// when NO_COLOR is set and not empty (no-color.org), and with --no-color.
#pragma once

#include <string>
#include <string_view>

namespace nexus_mde::plugin {

// Decides once per run, from the flag, the environment and stdout.
void choose_colour(bool no_color_flag);
bool colour_enabled();

// The SGR sequence for a cell of the column `header`, or "" when it has no colour.
std::string_view cell_colour(std::string_view header, std::string_view cell);
inline constexpr std::string_view kColourReset = "\x1b[0m";

}  // namespace nexus_mde::plugin
