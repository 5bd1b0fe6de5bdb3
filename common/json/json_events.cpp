#include "common/json/json_events.hpp"

#include <string>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

namespace nexus_mde {

namespace json = boost::json;
using error_code = boost::system::error_code;

json::value Scalar::to_value(const json::storage_ptr& sp) const {
  switch (kind) {
    case Kind::kNull:
      return json::value(nullptr, sp);
    case Kind::kBool:
      return json::value(b, sp);
    case Kind::kInt64:
      return json::value(i, sp);
    case Kind::kUint64:
      return json::value(u, sp);
    case Kind::kDouble:
      return json::value(d, sp);
    case Kind::kString:
      return json::value(json::string_view(s.data(), s.size()), sp);
  }
  return json::value(nullptr, sp);
}

std::string_view Scalar::kind_name() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "a boolean";
    case Kind::kString:
      return "a string";
    default:
      return "a number";
  }
}

bool feed_tree(const json::value& v, JsonEvents& events) {
  Scalar s;
  switch (v.kind()) {
    case json::kind::object:
      if (!events.begin_object()) return false;
      for (const auto& kv : v.get_object()) {
        if (!events.key(std::string_view(kv.key().data(), kv.key().size())) || !feed_tree(kv.value(), events))
          return false;
      }
      return events.end_object();
    case json::kind::array:
      if (!events.begin_array()) return false;
      for (const auto& e : v.get_array()) {
        if (!feed_tree(e, events)) return false;
      }
      return events.end_array();
    case json::kind::null:
      s.kind = Scalar::Kind::kNull;
      break;
    case json::kind::bool_:
      s.kind = Scalar::Kind::kBool;
      s.b = v.get_bool();
      break;
    case json::kind::int64:
      s.kind = Scalar::Kind::kInt64;
      s.i = v.get_int64();
      break;
    case json::kind::uint64:
      s.kind = Scalar::Kind::kUint64;
      s.u = v.get_uint64();
      break;
    case json::kind::double_:
      s.kind = Scalar::Kind::kDouble;
      s.d = v.get_double();
      break;
    case json::kind::string:
      s.kind = Scalar::Kind::kString;
      s.s = std::string_view(v.get_string().data(), v.get_string().size());
      break;
  }
  return events.scalar(s);
}

namespace {

// Where a parse stands, for JsonEventParser's queries when it tracks positions.
struct Position {
  const char* chunk = nullptr;  // the input being written
  std::size_t chunk_size = 0;
  std::size_t chunk_offset = 0;  // of chunk[0] in the document
  int depth = 0;
  int stop_below = -1;  // stop_at_close(): the depth below which to stop
  bool region_closed = false;
  std::optional<JsonPositions::TextEnd> text_end;
};

// Boost.JSON's SAX handler, forwarding to JsonEvents. Keys and strings split across input
// chunks are joined in a buffer first. With kTrack it also keeps a Position: a separate
// instantiation, so that the parses that need no position do not pay for it.
template <bool kTrack>
struct Handler {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  JsonEvents* events = nullptr;
  std::string partial;
  bool receiver_stopped = false;
  Position position;

  void opening() {
    if constexpr (kTrack) ++position.depth;
  }
  bool closing(error_code& ec) {
    if constexpr (kTrack) {
      if (--position.depth < position.stop_below) {
        position.region_closed = true;
        ec = json::error::extra_data;  // stops the parser; closed_region() tells it from an error
        return false;
      }
    }
    return true;
  }
  // `s` ended at its closing quote (`quoted`) or is a number's text. Text joined or unescaped
  // in a buffer is not in the input: the latest that was still says where the input stands.
  void text_read(json::string_view s, bool quoted) {
    if constexpr (kTrack) {
      const char* end = s.data() + s.size();
      if (position.chunk && s.data() >= position.chunk && end <= position.chunk + position.chunk_size) {
        position.text_end = JsonPositions::TextEnd{
            position.chunk_offset + static_cast<std::size_t>(end - position.chunk) + (quoted ? 1 : 0),
            position.depth};
      }
    }
  }

  bool stop(error_code& ec) {
    receiver_stopped = true;
    ec = json::error::extra_data;  // any error code stops the parser; the receiver holds the reason
    return false;
  }
  bool ok(bool r, error_code& ec) { return r || stop(ec); }
  std::string_view joined(json::string_view last) {
    if (partial.empty()) return {last.data(), last.size()};
    partial.append(last.data(), last.size());
    return partial;
  }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code& ec) {
    opening();
    return ok(events->begin_object(), ec);
  }
  bool on_object_end(std::size_t, error_code& ec) { return closing(ec) && ok(events->end_object(), ec); }
  bool on_array_begin(error_code& ec) {
    opening();
    return ok(events->begin_array(), ec);
  }
  bool on_array_end(std::size_t, error_code& ec) { return closing(ec) && ok(events->end_array(), ec); }
  bool on_key_part(json::string_view s, std::size_t, error_code&) {
    partial.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, error_code& ec) {
    text_read(s, true);
    bool r = events->key(joined(s));
    partial.clear();
    return ok(r, ec);
  }
  bool on_string_part(json::string_view s, std::size_t, error_code&) {
    partial.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, error_code& ec) {
    text_read(s, true);
    Scalar v;
    v.kind = Scalar::Kind::kString;
    v.s = joined(s);
    bool r = events->scalar(v);
    partial.clear();
    return ok(r, ec);
  }
  bool on_number_part(json::string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view s, error_code& ec) {
    text_read(s, false);
    Scalar v;
    v.kind = Scalar::Kind::kInt64;
    v.i = i;
    return ok(events->scalar(v), ec);
  }
  bool on_uint64(std::uint64_t u, json::string_view s, error_code& ec) {
    text_read(s, false);
    Scalar v;
    v.kind = Scalar::Kind::kUint64;
    v.u = u;
    return ok(events->scalar(v), ec);
  }
  bool on_double(double d, json::string_view s, error_code& ec) {
    text_read(s, false);
    Scalar v;
    v.kind = Scalar::Kind::kDouble;
    v.d = d;
    return ok(events->scalar(v), ec);
  }
  bool on_bool(bool b, error_code& ec) {
    Scalar v;
    v.kind = Scalar::Kind::kBool;
    v.b = b;
    return ok(events->scalar(v), ec);
  }
  bool on_null(error_code& ec) { return ok(events->scalar(Scalar{}), ec); }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }
};

json::parse_options options() {
  json::parse_options o;
  o.max_depth = 64;
  return o;
}

}  // namespace

struct JsonEventParser::Impl {
  Impl(JsonEvents& events, bool track_positions) {
    if (track_positions) {
      tracked.emplace(options()).handler().events = &events;
    } else {
      plain.emplace(options()).handler().events = &events;
    }
  }
  // Calls `f` with whichever parser this is.
  template <typename F>
  decltype(auto) with_parser(F&& f) {
    return plain ? f(*plain) : f(*tracked);
  }
  Position& position() {
    return with_parser([](auto& parser) -> Position& { return parser.handler().position; });
  }
  bool inside_text() {
    return with_parser([](auto& parser) { return !parser.handler().partial.empty(); });
  }
  bool receiver_stopped() {
    return with_parser([](auto& parser) { return parser.handler().receiver_stopped; });
  }

  std::optional<json::basic_parser<Handler<false>>> plain;
  std::optional<json::basic_parser<Handler<true>>> tracked;
};

JsonEventParser::JsonEventParser(JsonEvents& events, bool track_positions)
    : impl_(std::make_unique<Impl>(events, track_positions)) {}
JsonEventParser::~JsonEventParser() = default;

bool JsonEventParser::write(std::string_view chunk) { return feed(true, chunk); }
bool JsonEventParser::finish() { return feed(false, {}); }

JsonPositions JsonEventParser::positions() { return JsonPositions(*this); }

bool JsonPositions::inside_text() const { return parser_.impl_->inside_text(); }
int JsonPositions::depth() const { return parser_.impl_->position().depth; }
std::optional<JsonPositions::TextEnd> JsonPositions::last_text_end() const {
  return parser_.impl_->position().text_end;
}
void JsonPositions::stop_at_close() {
  auto& at = parser_.impl_->position();
  at.stop_below = at.depth;
}
bool JsonPositions::closed_region() const { return parser_.impl_->position().region_closed; }

bool JsonEventParser::feed(bool more, std::string_view chunk) {
  error_code ec;
  Position& at = impl_->position();
  at.chunk = chunk.data();
  at.chunk_size = chunk.size();
  at.chunk_offset = offset_;
  offset_ += impl_->with_parser(
      [&](auto& parser) { return parser.write_some(more, chunk.data(), chunk.size(), ec); });
  at.chunk = nullptr;  // the caller's buffer is gone after this
  if (!ec) return true;
  // When the receiver stopped the parse, it holds the reason; otherwise the JSON is bad.
  if (!impl_->receiver_stopped() && !at.region_closed) {
    error_ = make_error("invalid JSON: " + ec.message());
    error_->offset = offset_;
  }
  return false;
}

}  // namespace nexus_mde
