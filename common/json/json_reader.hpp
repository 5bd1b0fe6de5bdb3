// Tolerant, path-aware reading of one JSON object. mdatp's field names and types drift between
// versions (camelCase vs snake_case, epoch-ms as strings or numbers, settings wrapped as
// {"displayValue":…,"isManaged":…,"value":…}); every accessor takes the accepted names and types,
// and a wrong type is an error naming the field's path ("scanList[3].startTime").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "common/json/json_events.hpp"
#include "common/sys/result.hpp"

namespace nexus_mde {

// The type rules of every model field, shared by ObjectReader (trees) and ModelBuilder (events).
// Each takes a non-null scalar; the error has a message and no field (the caller adds the path).
Result<std::string> scalar_text(const Scalar& v);      // strings; whole numbers become text
Result<bool> scalar_flag(const Scalar& v);             // true/false; legacy 1/0 and "true"/"false"
Result<std::int64_t> scalar_count(const Scalar& v);    // a whole number >= 0 or its digits
Result<std::int64_t> scalar_time_ms(const Scalar& v);  // epoch-ms (number or digits), RFC 3339, mdatp date
// mdatp's configurable settings come wrapped: {"displayValue":bool,"isManaged":bool,"value":…}.
// Returns the wrapped value (and whether it is managed), or nullptr when `v` is no such wrapper.
const boost::json::value* setting_value(const boost::json::value& v, bool& managed);

// The scalar view of a tree value; nullopt for objects and arrays.
std::optional<Scalar> scalar_of(const boost::json::value& v);

using FieldNames = std::initializer_list<std::string_view>;

class ObjectReader {
 public:
  ObjectReader(const boost::json::object& object, std::string path);

  std::optional<std::string> text(FieldNames names);      // a string (numbers are turned to text)
  std::optional<bool> flag(FieldNames names);             // true/false (legacy 1/0 too)
  std::optional<std::int64_t> count(FieldNames names);    // a whole number >= 0, or its digits as a string
  std::optional<std::int64_t> time_ms(FieldNames names);  // epoch-ms (number or digits) or RFC 3339 text
  std::optional<std::vector<std::string>> strings(FieldNames names);
  // The raw value (after unwrapping a managed-setting object); null counts as absent.
  const boost::json::value* find(FieldNames names);

  bool failed() const { return error_.has_value(); }
  const Error& error() const { return *error_; }
  // Keys no accessor asked for, with their values: the model's `raw`.
  boost::json::object leftovers() const;
  // The names of settings whose wrapper said isManaged: true.
  const std::vector<std::string>& managed() const { return managed_; }
  std::string path_of(std::string_view key) const;

  // A value of the wrong type is an error, or, once warnings are collected here, a note naming the
  // field: the field reads as unknown and the value stays in leftovers() as given. mdatp's output
  // drifts between versions, and one odd field must not cost the rest of the snapshot.
  void collect_warnings(std::vector<std::string>* warnings) { warnings_ = warnings; }
  void fail(std::string message, std::string_view key);

 private:
  const boost::json::value* lookup(FieldNames names, std::string_view& found_key);

  const boost::json::object& object_;
  std::string path_;
  std::vector<std::string> consumed_;
  std::vector<std::string> managed_;
  std::optional<Error> error_;
  std::vector<std::string>* warnings_ = nullptr;
};

// "scanList" + 3 -> "scanList[3]"
std::string element_path(std::string_view path, std::size_t index);
// The JSON kind of a value, for messages ("a number", "an object").
std::string_view kind_name(const boost::json::value& v);

// Parses JSON text; a syntax error names the byte offset and what was expected. `what` names the
// input in the message ("mde-agent-information.json").
// `storage` lets a caller parse a large document into a monotonic arena.
Result<boost::json::value> parse_json_text(std::string_view text, std::string_view what,
                                           boost::json::storage_ptr storage = {});

// A key given twice in one object of valid JSON text (Boost.JSON keeps the last silently): the
// object's path ("limits", "" for the top), the key as written, and the lines of both (from 1).
struct DuplicateKey {
  std::string path;
  std::string key;
  std::size_t first_line = 0;
  std::size_t second_line = 0;
};
// Every duplicate key in `text`, which must already have parsed as JSON. Keys are compared as
// written (an escape and the character it stands for count as different).
std::vector<DuplicateKey> find_duplicate_keys(std::string_view text);

}  // namespace nexus_mde
