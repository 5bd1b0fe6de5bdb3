// A record's unknown fields (its `raw`) while the record is being built (ModelBuilder): straight
// into its raw object, or, for a sink that only writes records as JSON
// (RecordSink::takes_packed_raw), packed: the fields' bytes one after the other, which
// append_packed_as_json() later writes as the members of the raw object. On a large report the
// parser's thread is the busy one: packing only copies bytes, and the serializer's thread
// writes the JSON (figures, and what was tried instead: docs/performance.md, "The report").
//
// The packed fields mean what the object would: a key given again replaces its earlier value in
// place. That rare case turns the fields back into the object, where they stay.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/json/json_events.hpp"

namespace nexus_mde {

class UnknownFields {
 public:
  // Starts a record's fields: packed when `pack`, else in its raw object.
  void start(bool pack);

  // Adds "key": value, `raw` being the record's raw object.
  void add(boost::json::object& raw, std::string_view key, const Scalar& value);
  void add(boost::json::object& raw, std::string_view key, boost::json::value&& value);

  // The packed fields; empty when they are in the raw object (or there are none).
  std::string_view packed() const { return packing_ ? std::string_view(packed_) : std::string_view(); }
  // The fields in `raw`, for a record that is kept as a model record rather than handed on
  // packed (a threat listed inside its scan).
  void into_object(boost::json::object& raw);

 private:
  // Whether `key` is already among the packed keys; records it if not.
  bool repeated(std::string_view key);

  bool packing_ = false;
  std::string packed_;
  std::vector<std::size_t> key_hashes_;  // of the packed keys, to find a repeated one fast
};

// Appends packed fields as JSON object members ("key":value,…, no braces), each value exactly as
// boost::json::serialize writes it.
void append_packed_as_json(std::string& out, std::string_view packed);

}  // namespace nexus_mde
