// Writes records' wire form (model_wire.hpp) straight to JSON text, with Boost.JSON's escaping
// and number format, so the text equals serialize(value_from(record)) without building the tree;
// and values the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/model_wire.hpp"

namespace nexus_mde {

// Appends `s` as a JSON string, escaped as Boost.JSON escapes.
void append_json_string(std::string& out, std::string_view s);
// Append `v` as JSON text, exactly as boost::json::serialize writes it.
void append_json_value(std::string& out, const boost::json::value& v);
void append_json_object(std::string& out, const boost::json::object& o);

class JsonTextWriter {
 public:
  explicit JsonTextWriter(std::string& out) : out_(out) {}

  // Appends one record as a JSON object.
  template <typename Record>
  void record(const Record& r) {
    out_ += '{';
    first_ = true;
    describe_wire(*this, r);
    out_ += '}';
  }
  // The same, for a record whose own unknown fields came packed (RecordSink::takes_packed_raw,
  // unknown_fields.hpp) rather than in its raw object.
  template <typename Record>
  void record(const Record& r, std::string_view packed_raw) {
    packed_raw_ = packed_raw;
    record(r);
    packed_raw_ = {};
  }

  // The Out interface of describe_wire.
  void text(std::string_view name, const std::optional<std::string>& v);
  void time(std::string_view name, const std::optional<std::int64_t>& ms);
  void number(std::string_view name, const std::optional<std::int64_t>& v);
  void raw(const boost::json::object& raw);
  template <typename Record>
  void records(std::string_view name, const std::vector<Record>& items) {
    key(name);
    out_ += '[';
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out_ += ',';
      JsonTextWriter nested(out_);
      nested.record(items[i]);
    }
    out_ += ']';
  }

 private:
  void key(std::string_view name);
  void string(std::string_view s);

  std::string& out_;
  bool first_ = true;
  std::string_view packed_raw_;  // this record's own unknown fields, packed; its nested records' are objects
};

}  // namespace nexus_mde
