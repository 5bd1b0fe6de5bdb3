#include "common/model/unknown_fields.hpp"

#include <cstdint>
#include <functional>
#include <utility>

#include "common/json/byte_stream.hpp"
#include "common/model/json_text.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

// The packed form, native byte order (it never leaves the process):
//   field  := text(key) value
//   value  := u8 Kind, then by kind: nothing (null, false, true); 8 bytes (int64, uint64,
//             double); text (string); u32 count, value… (array); u32 count, field… (object)
//   text   := u32 length, bytes
enum class Kind : std::uint8_t { kNull, kFalse, kTrue, kInt64, kUint64, kDouble, kString, kArray, kObject };

class Packer {
 public:
  explicit Packer(std::string& out) : out_(out) {}
  void kind(Kind k) { out_.byte(static_cast<std::uint8_t>(k)); }
  template <typename T>
  void fixed(T v) {
    out_.fixed(v);
  }
  void text(std::string_view s) { out_.text(s); }
  void scalar(const Scalar& v) {
    switch (v.kind) {
      case Scalar::Kind::kNull:
        kind(Kind::kNull);
        return;
      case Scalar::Kind::kBool:
        kind(v.b ? Kind::kTrue : Kind::kFalse);
        return;
      case Scalar::Kind::kInt64:
        kind(Kind::kInt64);
        fixed(v.i);
        return;
      case Scalar::Kind::kUint64:
        kind(Kind::kUint64);
        fixed(v.u);
        return;
      case Scalar::Kind::kDouble:
        kind(Kind::kDouble);
        fixed(v.d);
        return;
      case Scalar::Kind::kString:
        kind(Kind::kString);
        text(v.s);
        return;
    }
  }
  void value(const json::value& v) {
    switch (v.kind()) {
      case json::kind::null:
        kind(Kind::kNull);
        return;
      case json::kind::bool_:
        kind(v.get_bool() ? Kind::kTrue : Kind::kFalse);
        return;
      case json::kind::int64:
        kind(Kind::kInt64);
        fixed(v.get_int64());
        return;
      case json::kind::uint64:
        kind(Kind::kUint64);
        fixed(v.get_uint64());
        return;
      case json::kind::double_:
        kind(Kind::kDouble);
        fixed(v.get_double());
        return;
      case json::kind::string:
        kind(Kind::kString);
        text(std::string_view(v.get_string().data(), v.get_string().size()));
        return;
      case json::kind::array:
        kind(Kind::kArray);
        fixed(static_cast<std::uint32_t>(v.get_array().size()));
        for (const auto& e : v.get_array()) value(e);
        return;
      case json::kind::object:
        kind(Kind::kObject);
        fixed(static_cast<std::uint32_t>(v.get_object().size()));
        for (const auto& kv : v.get_object()) {
          text(std::string_view(kv.key().data(), kv.key().size()));
          value(kv.value());
        }
        return;
    }
  }

 private:
  ByteWriter out_;
};

// Reads packed fields front to back, turning them into JSON text or Boost.JSON values.
class Unpacker {
 public:
  explicit Unpacker(std::string_view packed) : in_(packed) {}
  bool done() const { return in_.done(); }
  std::string_view text() { return in_.text(); }

  void value_as_json(std::string& out) {
    switch (kind()) {
      case Kind::kNull:
        out += "null";
        return;
      case Kind::kFalse:
        out += "false";
        return;
      case Kind::kTrue:
        out += "true";
        return;
      case Kind::kInt64:
        append_json_integer(out, fixed<std::int64_t>());
        return;
      case Kind::kUint64:
        append_json_integer(out, fixed<std::uint64_t>());
        return;
      case Kind::kDouble:
        append_json_value(out, json::value(fixed<double>()));
        return;  // Boost's digits
      case Kind::kString:
        append_json_string(out, text());
        return;
      case Kind::kArray: {
        out += '[';
        auto n = fixed<std::uint32_t>();
        for (std::uint32_t i = 0; i < n; ++i) {
          if (i) out += ',';
          value_as_json(out);
        }
        out += ']';
        return;
      }
      case Kind::kObject: {
        out += '{';
        auto n = fixed<std::uint32_t>();
        for (std::uint32_t i = 0; i < n; ++i) {
          if (i) out += ',';
          field_as_json(out);
        }
        out += '}';
        return;
      }
    }
  }

  void field_as_json(std::string& out) {
    append_json_string(out, text());
    out += ':';
    value_as_json(out);
  }

  json::value value(const json::storage_ptr& sp) {
    switch (kind()) {
      case Kind::kNull:
        return json::value(nullptr, sp);
      case Kind::kFalse:
        return json::value(false, sp);
      case Kind::kTrue:
        return json::value(true, sp);
      case Kind::kInt64:
        return json::value(fixed<std::int64_t>(), sp);
      case Kind::kUint64:
        return json::value(fixed<std::uint64_t>(), sp);
      case Kind::kDouble:
        return json::value(fixed<double>(), sp);
      case Kind::kString: {
        auto s = text();
        return json::value(json::string_view(s.data(), s.size()), sp);
      }
      case Kind::kArray: {
        json::array a(sp);
        auto n = fixed<std::uint32_t>();
        a.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) a.push_back(value(sp));
        return a;
      }
      case Kind::kObject: {
        json::object o(sp);
        auto n = fixed<std::uint32_t>();
        for (std::uint32_t i = 0; i < n; ++i) {
          auto key = text();
          o.insert_or_assign(json::string_view(key.data(), key.size()), value(sp));
        }
        return o;
      }
    }
    return json::value(nullptr, sp);
  }

 private:
  Kind kind() { return static_cast<Kind>(in_.byte()); }
  template <typename T>
  T fixed() {
    return in_.template fixed<T>();
  }

  ByteReader in_;
};

// An unknown field into a record's raw. In an arena (the report's), room for several at the
// first, so the table is not regrown field by field (a threat has half a dozen); on the heap
// (the agent, which keeps its records) tables stay as small as their fields.
void keep_in_object(json::object& raw, std::string_view key, json::value&& v) {
  if (raw.capacity() == 0 && raw.storage().is_deallocate_trivial()) raw.reserve(8);
  raw.insert_or_assign(key, std::move(v));
}

}  // namespace

void UnknownFields::start(bool pack) {
  packing_ = pack;
  packed_.clear();
  key_hashes_.clear();
}

bool UnknownFields::repeated(std::string_view key) {
  std::size_t hash = std::hash<std::string_view>{}(key);
  for (std::size_t seen : key_hashes_) {
    // Equal hashes of different keys only send the record the slow, exact way.
    if (seen == hash) return true;
  }
  key_hashes_.push_back(hash);
  return false;
}

void UnknownFields::add(json::object& raw, std::string_view key, const Scalar& value) {
  if (packing_ && !repeated(key)) {
    Packer packer(packed_);
    packer.text(key);
    packer.scalar(value);
    return;
  }
  into_object(raw);
  keep_in_object(raw, key, value.to_value(raw.storage()));
}

void UnknownFields::add(json::object& raw, std::string_view key, json::value&& value) {
  if (packing_ && !repeated(key)) {
    Packer packer(packed_);
    packer.text(key);
    packer.value(value);
    return;
  }
  into_object(raw);
  keep_in_object(raw, key, std::move(value));
}

void UnknownFields::into_object(json::object& raw) {
  if (!packing_) return;
  packing_ = false;
  // Nothing went to the object while the fields were packed: it is empty, and takes them in order.
  Unpacker fields(packed_);
  while (!fields.done()) {
    auto key = fields.text();
    keep_in_object(raw, key, fields.value(raw.storage()));
  }
  packed_.clear();
  key_hashes_.clear();
}

void append_packed_as_json(std::string& out, std::string_view packed) {
  Unpacker fields(packed);
  for (bool first = true; !fields.done(); first = false) {
    if (!first) out += ',';
    fields.field_as_json(out);
  }
}

}  // namespace nexus_mde
