// JSON as a stream of events, so that large documents can be turned into the model record by
// record without building a tree (Boost.JSON's tree costs ten times its parser on a 100 MB
// extract). The same events can be generated from a tree (feed_tree), so one event-driven reader
// serves both a streamed file and a value already in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "common/sys/result.hpp"

namespace nexus_mde {

// One JSON scalar as the parser or a tree presents it.
struct Scalar {
  enum class Kind { kNull, kBool, kInt64, kUint64, kDouble, kString } kind = Kind::kNull;
  bool b = false;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  std::string_view s;  // valid during the event only

  boost::json::value to_value(const boost::json::storage_ptr& sp = {}) const;
  std::string_view kind_name() const;  // "a string", "a number", ...
};

// Receives a document's events. Each returns false to stop the parse (the receiver keeps why).
class JsonEvents {
 public:
  virtual ~JsonEvents() = default;
  virtual bool begin_object() = 0;
  virtual bool end_object() = 0;
  virtual bool begin_array() = 0;
  virtual bool end_array() = 0;
  virtual bool key(std::string_view name) = 0;
  virtual bool scalar(const Scalar& value) = 0;
};

// Generates the events of a value already in memory.
bool feed_tree(const boost::json::value& value, JsonEvents& events);

// An incremental parser that delivers events as input arrives (chunks of any size).
class JsonPositions;

class JsonEventParser {
 public:
  // `track_positions` keeps what JsonPositions' depth(), last_text_end() and stop_at_close()
  // need, at a cost.
  explicit JsonEventParser(JsonEvents& events, bool track_positions = false);
  ~JsonEventParser();
  JsonEventParser(const JsonEventParser&) = delete;
  JsonEventParser& operator=(const JsonEventParser&) = delete;

  // false when the input is invalid JSON or the receiver stopped; see error().
  bool write(std::string_view chunk);
  bool finish();
  // A syntax error with its byte offset; empty when the receiver stopped the parse.
  const std::optional<Error>& syntax_error() const { return error_; }
  std::size_t offset() const { return offset_; }

  // Where the parse stands, for reading one document in two parts (plugin/report/split_parse).
  JsonPositions positions();

 private:
  friend class JsonPositions;
  bool feed(bool more, std::string_view chunk);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<Error> error_;
  std::size_t offset_ = 0;
};

// A parser's position queries, apart from its write/finish: only reading one document in two
// parts at once needs them (plugin/report/split_parse.hpp). Valid while its parser lives.
class JsonPositions {
 public:
  // A key or string has been read in part: the input so far ends inside it.
  bool inside_text() const;
  // With track_positions: containers open now.
  int depth() const;
  // With track_positions: where the text of the latest key, string or number read in place (not
  // joined or unescaped in a buffer) ends: its offset, past a string's closing quote, and the
  // containers open there. Absent until one was.
  struct TextEnd {
    std::size_t offset = 0;
    int depth = 0;
  };
  std::optional<TextEnd> last_text_end() const;
  // With track_positions: stops the parse, without an error, when the container open now
  // closes. The receiver never sees that close; closed_region() then says so.
  void stop_at_close();
  bool closed_region() const;
  // `n` bytes of the document were not written here (another parser read them): later offsets
  // count them.
  void skipped(std::size_t n) { parser_.offset_ += n; }

 private:
  friend class JsonEventParser;
  explicit JsonPositions(JsonEventParser& parser) : parser_(parser) {}
  JsonEventParser& parser_;
};

}  // namespace nexus_mde
