#include "common/json/json_reader.hpp"

#include <algorithm>
#include <map>

#include <boost/json.hpp>

#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

std::string element_path(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string_view kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

ObjectReader::ObjectReader(const json::object& object, std::string path)
    : object_(object), path_(std::move(path)) {}

std::string ObjectReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ObjectReader::fail(std::string message, std::string_view key) {
  if (!warnings_) {
    if (!error_) error_ = make_error(std::move(message), path_of(key));
    return;
  }
  warnings_->push_back(path_of(key) + ": " + message + "; read as unknown");
  auto it = std::find(consumed_.begin(), consumed_.end(), key);
  if (it != consumed_.end()) consumed_.erase(it);
}

const json::value* setting_value(const json::value& v, bool& managed) {
  const auto* o = v.if_object();
  if (!o || !o->contains("value") || !o->contains("isManaged")) return nullptr;
  const json::value& flag = o->at("isManaged");
  managed = flag.is_bool() && flag.get_bool();
  return &o->at("value");
}

const json::value* ObjectReader::lookup(FieldNames names, std::string_view& found_key) {
  for (std::string_view name : names) {
    auto it = object_.find(name);
    if (it == object_.end()) continue;
    consumed_.emplace_back(name);
    found_key = it->key();
    const json::value* v = &it->value();
    bool managed = false;
    if (const json::value* inner = setting_value(*v, managed)) {
      if (managed) managed_.emplace_back(found_key);
      v = inner;
    }
    if (v->is_null()) return nullptr;
    if (v->is_string() && v->get_string() == "DEPRECATED") {
      // Newer mdatp keeps a retired setting's key with this value: unknown, shown in raw as given.
      consumed_.pop_back();
      return nullptr;
    }
    return v;
  }
  return nullptr;
}

const json::value* ObjectReader::find(FieldNames names) {
  std::string_view key;
  return lookup(names, key);
}

std::optional<Scalar> scalar_of(const json::value& v) {
  Scalar s;
  switch (v.kind()) {
    case json::kind::null:
      return s;
    case json::kind::bool_:
      s.kind = Scalar::Kind::kBool;
      s.b = v.get_bool();
      return s;
    case json::kind::int64:
      s.kind = Scalar::Kind::kInt64;
      s.i = v.get_int64();
      return s;
    case json::kind::uint64:
      s.kind = Scalar::Kind::kUint64;
      s.u = v.get_uint64();
      return s;
    case json::kind::double_:
      s.kind = Scalar::Kind::kDouble;
      s.d = v.get_double();
      return s;
    case json::kind::string:
      s.kind = Scalar::Kind::kString;
      s.s = std::string_view(v.get_string().data(), v.get_string().size());
      return s;
    default:
      return std::nullopt;
  }
}

Result<std::string> scalar_text(const Scalar& v) {
  switch (v.kind) {
    case Scalar::Kind::kString:
      return std::string(v.s);
    case Scalar::Kind::kInt64:
      return std::to_string(v.i);
    case Scalar::Kind::kUint64:
      return std::to_string(v.u);
    default:
      return make_error("expected a string, found " + std::string(v.kind_name()));
  }
}

Result<bool> scalar_flag(const Scalar& v) {
  if (v.kind == Scalar::Kind::kBool) return v.b;
  if (v.kind == Scalar::Kind::kInt64 && (v.i == 0 || v.i == 1)) return v.i == 1;
  if (v.kind == Scalar::Kind::kString) {
    if (v.s == "true" || v.s == "1") return true;
    if (v.s == "false" || v.s == "0") return false;
  }
  return make_error("expected true or false, found " + std::string(v.kind_name()));
}

Result<std::int64_t> scalar_count(const Scalar& v) {
  if (v.kind == Scalar::Kind::kInt64 && v.i >= 0) return v.i;
  if (v.kind == Scalar::Kind::kUint64 && v.u <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v.u);
  }
  if (v.kind == Scalar::Kind::kString) {
    if (!v.s.empty() && v.s.size() <= 18 &&
        std::all_of(v.s.begin(), v.s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      std::int64_t n = 0;
      for (char c : v.s) n = n * 10 + (c - '0');
      return n;
    }
    return make_error("expected a whole number, found \"" + excerpt(v.s) + "\"");
  }
  return make_error("expected a whole number, found " + std::string(v.kind_name()));
}

Result<std::int64_t> scalar_time_ms(const Scalar& v) {
  if (v.kind == Scalar::Kind::kInt64 || v.kind == Scalar::Kind::kUint64) {
    std::int64_t n = v.kind == Scalar::Kind::kInt64
                         ? v.i
                         : static_cast<std::int64_t>(std::min<std::uint64_t>(v.u, INT64_MAX));
    if (n < 0 || n > kMaxEpochMs)
      return make_error("epoch-ms value " + std::to_string(n) + " is outside 1970..9999");
    return n;
  }
  if (v.kind == Scalar::Kind::kString) {
    std::string_view s = v.s;
    if (!s.empty() && s.front() >= '0' && s.front() <= '9' && s.find('-') == std::string_view::npos)
      return parse_epoch_ms(s);
    if (auto r = parse_rfc3339(s)) return *r;
    if (auto d = parse_mdatp_date(s)) return *d;
    return make_error("expected epoch milliseconds or an RFC 3339 time, found \"" + excerpt(s) + "\"");
  }
  return make_error("expected epoch milliseconds, found " + std::string(v.kind_name()));
}

namespace {

// Applies a scalar conversion to a tree value found under `key`; containers are type errors.
template <typename T, typename Convert>
std::optional<T> convert_value(ObjectReader& r, const json::value* v, std::string_view key,
                               const char* expected, Convert&& convert) {
  if (!v) return std::nullopt;
  auto s = scalar_of(*v);
  if (!s) {
    r.fail(std::string("expected ") + expected + ", found " + std::string(kind_name(*v)), key);
    return std::nullopt;
  }
  auto converted = convert(*s);
  if (!converted) {
    r.fail(converted.error().message, key);
    return std::nullopt;
  }
  return std::move(*converted);
}

}  // namespace

std::optional<std::string> ObjectReader::text(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  return convert_value<std::string>(*this, v, key, "a string", scalar_text);
}

std::optional<bool> ObjectReader::flag(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  return convert_value<bool>(*this, v, key, "true or false", scalar_flag);
}

std::optional<std::int64_t> ObjectReader::count(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  return convert_value<std::int64_t>(*this, v, key, "a whole number", scalar_count);
}

std::optional<std::int64_t> ObjectReader::time_ms(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  return convert_value<std::int64_t>(*this, v, key, "epoch milliseconds", scalar_time_ms);
}

std::optional<std::vector<std::string>> ObjectReader::strings(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  if (!v) return std::nullopt;
  if (!v->is_array()) {
    fail("expected a list of strings, found " + std::string(kind_name(*v)), key);
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& e : v->get_array()) {
    if (!e.is_string()) {
      fail("expected a list of strings, found " + std::string(kind_name(e)) + " in it", key);
      return std::nullopt;
    }
    out.emplace_back(e.get_string());
  }
  return out;
}

json::object ObjectReader::leftovers() const {
  json::object out;
  for (const auto& kv : object_) {
    if (std::find(consumed_.begin(), consumed_.end(), kv.key()) == consumed_.end()) {
      out.emplace(kv.key(), kv.value());
    }
  }
  return out;
}

Result<json::value> parse_json_text(std::string_view text, std::string_view what, json::storage_ptr storage) {
  json::parse_options opts;
  opts.max_depth = 64;
  json::stream_parser p({}, opts);
  p.reset(std::move(storage));
  boost::system::error_code ec;
  std::size_t used = p.write_some(text.data(), text.size(), ec);
  if (!ec) p.finish(ec);
  if (!ec && used < text.size()) {
    // Trailing content after the document: only white space is allowed.
    if (!trim(text.substr(used)).empty()) {
      Error e = make_error("unexpected content after the JSON document", std::string(what));
      e.offset = used;
      return e;
    }
  }
  if (ec) {
    Error e = make_error("invalid JSON: " + ec.message(), std::string(what));
    e.offset = used;
    return e;
  }
  return p.release();
}

namespace {

// One open container while find_duplicate_keys walks the text.
struct OpenContainer {
  bool object = false;
  std::string path;                                      // this container's own path
  std::map<std::string, std::size_t, std::less<>> keys;  // key -> its line (objects)
  std::string last_key;                                  // objects: the key whose value comes next
  std::size_t index = 0;                                 // arrays: the element that comes next
};

std::string child_path(const OpenContainer& parent) {
  if (parent.object) return parent.path.empty() ? parent.last_key : parent.path + "." + parent.last_key;
  return parent.path + "[" + std::to_string(parent.index) + "]";
}

}  // namespace

std::vector<DuplicateKey> find_duplicate_keys(std::string_view text) {
  std::vector<DuplicateKey> out;
  std::vector<OpenContainer> open;
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
    } else if (c == '{' || c == '[') {
      OpenContainer next;
      next.object = c == '{';
      if (!open.empty()) next.path = child_path(open.back());
      open.push_back(std::move(next));
    } else if (c == '}' || c == ']') {
      if (!open.empty()) open.pop_back();
    } else if (c == ',' && !open.empty() && !open.back().object) {
      ++open.back().index;
    } else if (c == '"') {
      std::size_t start = ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      std::string_view word = text.substr(start, i - start);
      std::size_t after = text.find_first_not_of(" \t\r\n", i + 1);
      bool is_key =
          after != std::string_view::npos && text[after] == ':' && !open.empty() && open.back().object;
      if (!is_key) continue;
      OpenContainer& object = open.back();
      auto [seen, fresh] = object.keys.try_emplace(std::string(word), line);
      if (!fresh) out.push_back({object.path, std::string(word), seen->second, line});
      object.last_key = std::string(word);
    }
  }
  return out;
}

}  // namespace nexus_mde
