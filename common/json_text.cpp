#include "common/json_text.hpp"

#include <cstring>

#include "common/time.hpp"

namespace nexus_mde {

void JsonTextWriter::key(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  string(name);
  out_ += ':';
}

namespace {

// True when any of the 8 bytes in `v` is a control character, '"' or '\' (SWAR: a byte-wise
// "less than" and two "equals zero" tests on the whole word at once).
bool word_needs_escape(std::uint64_t v) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
  bool has_control = ((v - kOnes * 0x20) & ~v & kHigh) != 0;
  return has_control || has_zero(v ^ (kOnes * '"')) || has_zero(v ^ (kOnes * '\\'));
}

}  // namespace

// Boost.JSON's escaping: '"' and '\', the named control escapes, other controls as \u00xx.
void JsonTextWriter::string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  std::size_t run = 0;
  std::size_t i = 0;
  for (;;) {
    // Skip clean text eight bytes at a time, then look byte by byte.
    while (i + 8 <= s.size()) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if (word_needs_escape(word)) break;
      i += 8;
    }
    if (i >= s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\t': out_ += "\\t"; break;
      case '\n': out_ += "\\n"; break;
      case '\f': out_ += "\\f"; break;
      case '\r': out_ += "\\r"; break;
      default:
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xf];
    }
    ++i;
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
}

void JsonTextWriter::text(std::string_view name, const std::optional<std::string>& v) {
  key(name);
  if (v) {
    string(*v);
  } else {
    out_ += "null";
  }
}

void JsonTextWriter::time(std::string_view name, const std::optional<std::int64_t>& ms) {
  key(name);
  char buf[kRfc3339Length];
  if (ms && write_rfc3339_ms(*ms, buf)) {
    out_ += '"';
    out_.append(buf, kRfc3339Length);
    out_ += '"';
  } else {
    out_ += "null";  // unknown, or out of range (readers already reject that)
  }
}

void JsonTextWriter::number(std::string_view name, const std::optional<std::int64_t>& v) {
  key(name);
  out_ += v ? std::to_string(*v) : std::string("null");
}

void JsonTextWriter::raw(const boost::json::object& raw) {
  if (raw.empty()) return;
  key("raw");
  // Unknown fields keep whatever shape they came in: Boost.JSON serializes them.
  serializer_.reset(&raw);
  char chunk[4096];
  while (!serializer_.done()) out_.append(serializer_.read(chunk, sizeof chunk));
}

}  // namespace nexus_mde
