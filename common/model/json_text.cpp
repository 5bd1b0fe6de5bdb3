#include "common/model/json_text.hpp"

#include <cstring>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/model/unknown_fields.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde {

void JsonTextWriter::next_item() {
  if (depth_ == 0) return;  // a record on its own
  if (!(first_ & 1)) out_ += ',';
  first_ &= ~std::uint64_t{1};
}

void JsonTextWriter::open(char bracket) {
  out_ += bracket;
  first_ = (first_ << 1) | 1;
  ++depth_;
}

void JsonTextWriter::close(char bracket) {
  out_ += bracket;
  first_ >>= 1;
  --depth_;
}

void JsonTextWriter::key(std::string_view name) {
  next_item();
  string(name);
  out_ += ':';
}

void JsonTextWriter::begin_record() {
  next_item();
  open('{');
}

void JsonTextWriter::end_record() { close('}'); }

void JsonTextWriter::begin_records(std::string_view name) {
  key(name);
  open('[');
}

void JsonTextWriter::end_records() { close(']'); }

namespace {

// True when any of the 8 bytes in `v` is a control character, '"', '\', DEL or 0xC2 (the lead
// byte of the C1 controls) (SWAR: a byte-wise "less than" and "equals zero" tests on the whole
// word at once).
bool word_needs_escape(std::uint64_t v) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
  bool has_control = ((v - kOnes * 0x20) & ~v & kHigh) != 0;
  return has_control || has_zero(v ^ (kOnes * '"')) || has_zero(v ^ (kOnes * '\\')) ||
         has_zero(v ^ (kOnes * 0x7F)) || has_zero(v ^ (kOnes * 0xC2));
}

bool c1_control_at(std::string_view s, std::size_t i) {
  if (static_cast<unsigned char>(s[i]) != 0xC2 || i + 1 >= s.size()) return false;
  auto next = static_cast<unsigned char>(s[i + 1]);
  return next >= 0x80 && next <= 0x9F;
}

}  // namespace

// Boost.JSON's escaping: '"' and '\', the named control escapes, other controls as \u00xx; and
// DEL and the C1 controls as \u00xx too, which Boost.JSON leaves raw and a terminal would act on
// (escape_json_controls in terminal_text.hpp does the same to Boost.JSON's own text).
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
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
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F && !c1_control_at(s, i)) {
      ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    if (c == 0xC2) c = static_cast<unsigned char>(s[++i]);  // the C1 control's code point is its second byte
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
    ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void JsonTextWriter::string(std::string_view s) { append_json_string(out_, s); }

void append_json_object(std::string& out, const boost::json::object& o) {
  out += '{';
  bool first = true;
  for (const auto& kv : o) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, std::string_view(kv.key().data(), kv.key().size()));
    out += ':';
    append_json_value(out, kv.value());
  }
  out += '}';
}

void append_json_value(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      append_json_integer(out, v.get_int64());
      return;
    case boost::json::kind::uint64:
      append_json_integer(out, v.get_uint64());
      return;
    case boost::json::kind::double_:
      out += boost::json::serialize(v);
      return;  // Boost's own digits
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      append_json_string(out, std::string_view(s.data(), s.size()));
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json_value(out, e);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object:
      append_json_object(out, v.get_object());
      return;
  }
}

void JsonTextWriter::text(std::string_view name, std::optional<std::string_view> v) {
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
  if (v) {
    append_json_integer(out_, *v);
  } else {
    out_ += "null";
  }
}

void JsonTextWriter::packed_raw(std::string_view packed) {
  key("raw");
  out_ += '{';
  append_packed_as_json(out_, packed);
  out_ += '}';
}

void JsonTextWriter::raw(const boost::json::object& raw) {
  if (raw.empty()) return;
  key("raw");
  append_json_object(out_, raw);  // unknown fields keep whatever shape they came in
}

}  // namespace nexus_mde
