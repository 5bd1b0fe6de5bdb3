#include "plugin/output/colour.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>

namespace nexus_mde::plugin {

namespace {

bool g_colour = false;

constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kRed = "\x1b[31m";

bool one_of(std::string_view cell, std::initializer_list<std::string_view> values) {
  for (auto v : values) {
    if (cell == v) return true;
  }
  return false;
}

}  // namespace

void choose_colour(bool no_color_flag) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  g_colour = !no_color_flag && (no_color == nullptr || *no_color == '\0') && term != nullptr &&
             std::string_view(term) != "dumb" && ::isatty(STDOUT_FILENO) == 1;
}

bool colour_enabled() { return g_colour; }

std::string_view cell_colour(std::string_view header, std::string_view cell) {
  if (header == "STATE") {
    if (one_of(cell, {"ok", "succeeded", "completed"})) return kGreen;
    if (one_of(cell, {"unreachable", "timeout", "skipped", "running", "queued", "started"})) return kYellow;
    if (one_of(cell, {"tls-error", "auth-error", "http-error", "agent-error", "identity-mismatch", "failed",
                      "interrupted"})) {
      return kRed;
    }
    return {};
  }
  if (header == "HEALTHY" && cell == "no") return kRed;
  if (header == "DRIFT" && cell == "yes") return kRed;
  return {};
}

}  // namespace nexus_mde::plugin
