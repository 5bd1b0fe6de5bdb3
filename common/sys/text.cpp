#include "common/sys/text.hpp"

#include <sys/random.h>

#include <algorithm>

namespace nexus_mde {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
}  // namespace

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string snake_to_camel(std::string_view snake) {
  std::string out;
  out.reserve(snake.size());
  bool up = false;
  for (char c : snake) {
    if (c == '_') {
      up = true;
    } else {
      out += up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c;
      up = false;
    }
  }
  return out;
}

std::string enum_spelling(std::string_view value) {
  std::string out;
  for (char c : value) {
    bool upper = c >= 'A' && c <= 'Z';
    if (upper && !out.empty() && out.back() != '_') out += '_';
    out += upper ? static_cast<char>(c | 0x20) : c;
  }
  return out;
}

std::string excerpt(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    out += u >= 0x20 && u < 0x7f ? c : '?';
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  unsigned char buffer[64];
  bytes = std::min(bytes, sizeof buffer);
  std::size_t got = 0;
  while (got < bytes) {
    ssize_t n = ::getrandom(buffer + got, bytes - got, 0);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  return to_hex(buffer, bytes);
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace nexus_mde
