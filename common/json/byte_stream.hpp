// Bytes written and read back in one process (packed unknown fields, the report's record tape):
// fixed-size values in native byte order, and length-prefixed text.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace nexus_mde {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}

  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  template <typename T>
  requires std::is_trivially_copyable_v<T>
  void fixed(T value) { out_.append(reinterpret_cast<const char*>(&value), sizeof value); }
  void text(std::string_view s) {  // u32 length, bytes
    if (s.size() > UINT32_MAX) throw std::length_error("a single text of 4 GiB or more");
    fixed(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : at_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool done() const { return at_ == end_; }
  std::uint8_t byte() { return static_cast<std::uint8_t>(*at_++); }
  template <typename T>
  requires std::is_trivially_copyable_v<T> T fixed() {
    T value;
    std::memcpy(&value, at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  std::string_view text() {
    auto n = fixed<std::uint32_t>();
    std::string_view s(at_, n);
    at_ += n;
    return s;
  }

 private:
  const char* at_;
  const char* end_;
};

}  // namespace nexus_mde
