// Writes records' wire form (model_wire.hpp) straight to JSON text, with Boost.JSON's escaping
// and number format, so the text equals serialize(value_from(record)) without building the tree
// (but for DEL and C1 controls, escaped here: terminal_text.hpp); and values the same way.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/model/model_wire.hpp"

namespace nexus_mde {

// Appends `s` as a JSON string, escaped as Boost.JSON escapes.
void append_json_string(std::string& out, std::string_view s);
// Appends an integer as JSON text.
template <typename Integer>
void append_json_integer(std::string& out, Integer n) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}
// Appends `v` (or `o`) as JSON text, as escape_json_controls(boost::json::serialize(v)) writes it.
void append_json_value(std::string& out, const boost::json::value& v);
void append_json_object(std::string& out, const boost::json::object& o);

class JsonTextWriter {
 public:
  explicit JsonTextWriter(std::string& out) : out_(out) {}

  // Appends one record as a JSON object.
  template <typename Record>
  void record(const Record& r) {
    begin_record();
    describe_wire(*this, r);
    end_record();
  }
  // The same, for a record whose own unknown fields came packed (RecordSink::takes_packed_raw,
  // unknown_fields.hpp) rather than in its raw object, which is then empty: they are written where
  // the object would be, after the record's other fields (raw is last in model_wire.hpp).
  template <typename Record>
  void record(const Record& r, std::string_view packed) {
    begin_record();
    describe_wire(*this, r);
    if (!packed.empty()) packed_raw(packed);
    end_record();
  }

  // The Out interface of describe_wire.
  void text(std::string_view name, const std::optional<std::string>& v) {
    text(name, v ? std::optional<std::string_view>(*v) : std::nullopt);
  }
  void text(std::string_view name, std::optional<std::string_view> v);
  void time(std::string_view name, const std::optional<std::int64_t>& ms);
  void number(std::string_view name, const std::optional<std::int64_t>& v);
  void raw(const boost::json::object& raw);
  template <typename Record>
  void records(std::string_view name, const std::vector<Record>& items) {
    begin_records(name);
    for (const auto& item : items) record(item);
    end_records();
  }

  // A record given field by field (a replayed RecordTape): begin_record(), its fields through
  // the calls above (or packed_raw() for its unknown fields), end_record(); a list of records
  // nested in it between begin_records(name) and end_records().
  void begin_record();
  void end_record();
  void begin_records(std::string_view name);
  void end_records();
  void packed_raw(std::string_view packed);

 private:
  void next_item();  // the separator before a field, or before a record in a list
  void open(char bracket);
  void close(char bracket);
  void key(std::string_view name);
  void string(std::string_view s);

  std::string& out_;
  // Per open record or list, one bit each, innermost lowest: set while nothing has been written
  // in it. (The wire form nests three deep at most: a scan's list of threats.)
  std::uint64_t first_ = 0;
  int depth_ = 0;
};

}  // namespace nexus_mde
