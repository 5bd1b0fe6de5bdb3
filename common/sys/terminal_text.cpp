#include "common/sys/terminal_text.hpp"

#include <cstdint>

namespace nexus_mde {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_escape(std::string& out, const char* prefix, unsigned char c) {
  out += prefix;
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence starting at text[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the byte there does not start one.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  auto at = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
  unsigned char c = at(0);
  if (c >= 0xC2 && c <= 0xDF) return continuation(at(1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return at(1) >= lo && at(1) <= hi && continuation(at(2)) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return at(1) >= lo && at(1) <= hi && continuation(at(2)) && continuation(at(3)) ? 4 : 0;
  }
  return 0;
}

bool plain(std::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7F) return false;
  }
  return true;
}

}  // namespace

std::string visible_text(std::string_view text) {
  if (plain(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      append_escape(out, "\\x", c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (std::size_t n = sequence_length(text, i); n == 0) {
      append_escape(out, "\\x", c);
      ++i;
    } else if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      append_escape(out, "\\u00", static_cast<unsigned char>(text[i + 1]));
      i += 2;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  return out;
}

void JsonControlEscaper::write(std::string_view piece, std::string& out) {
  std::size_t i = 0;
  if (held_lead_ && !piece.empty()) {
    held_lead_ = false;
    auto next = static_cast<unsigned char>(piece[0]);
    if (next >= 0x80 && next <= 0x9F) {
      append_escape(out, "\\u00", next);
      i = 1;
    } else {
      out += '\xC2';
    }
  }
  std::size_t run = i;
  for (; i < piece.size(); ++i) {
    auto c = static_cast<unsigned char>(piece[i]);
    if (c != 0x7F && c != 0xC2) continue;
    out.append(piece, run, i - run);
    run = i + 1;
    if (c == 0x7F) {
      out += "\\u007f";
    } else if (i + 1 == piece.size()) {
      held_lead_ = true;
    } else if (auto next = static_cast<unsigned char>(piece[i + 1]); next >= 0x80 && next <= 0x9F) {
      append_escape(out, "\\u00", next);
      run = ++i + 1;
    } else {
      out += '\xC2';
    }
  }
  out.append(piece, run, piece.size() - run);
}

void JsonControlEscaper::finish(std::string& out) {
  if (held_lead_) out += '\xC2';
  held_lead_ = false;
}

std::string escape_json_controls(std::string_view serialized) {
  std::string out;
  out.reserve(serialized.size());
  JsonControlEscaper escaper;
  escaper.write(serialized, out);
  escaper.finish(out);
  return out;
}

}  // namespace nexus_mde
