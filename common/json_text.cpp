#include "common/json_text.hpp"

#include "common/time.hpp"

namespace nexus_mde {

void JsonTextWriter::key(std::string_view name) {
  if (!first_) out_ += ',';
  first_ = false;
  string(name);
  out_ += ':';
}

// Boost.JSON's escaping: '"' and '\', the named control escapes, other controls as \u00xx.
void JsonTextWriter::string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
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
  auto s = ms ? format_rfc3339_ms(*ms) : Result<std::string>(make_error("unknown"));
  if (s) {
    string(*s);
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
