#include "common/json_reader.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/text.hpp"
#include "common/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

std::string element_path(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string_view kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

ObjectReader::ObjectReader(const json::object& object, std::string path)
    : object_(object), path_(std::move(path)) {}

std::string ObjectReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ObjectReader::fail(std::string message, std::string_view key) {
  if (!error_) error_ = make_error(std::move(message), path_of(key));
}

const json::value* ObjectReader::lookup(FieldNames names, std::string_view& found_key) {
  for (std::string_view name : names) {
    auto it = object_.find(name);
    if (it == object_.end()) continue;
    consumed_.emplace_back(name);
    found_key = it->key();
    const json::value* v = &it->value();
    // mdatp's configurable settings: {"displayValue":bool,"isManaged":bool,"value":…}
    if (const auto* o = v->if_object(); o && o->contains("value") && o->contains("isManaged")) {
      if (const auto* m = o->find("isManaged"); m != o->end() && m->value().is_bool() && m->value().get_bool()) {
        managed_.emplace_back(found_key);
      }
      v = &o->at("value");
    }
    if (v->is_null()) return nullptr;
    return v;
  }
  return nullptr;
}

const json::value* ObjectReader::find(FieldNames names) {
  std::string_view key;
  return lookup(names, key);
}

std::optional<std::string> ObjectReader::text(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  if (!v) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  fail("expected a string, found " + std::string(kind_name(*v)), key);
  return std::nullopt;
}

std::optional<bool> ObjectReader::flag(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  if (!v) return std::nullopt;
  if (v->is_bool()) return v->get_bool();
  if (v->is_int64() && (v->get_int64() == 0 || v->get_int64() == 1)) return v->get_int64() == 1;
  if (v->is_string()) {
    auto s = v->get_string();
    if (s == "true" || s == "1") return true;
    if (s == "false" || s == "0") return false;
  }
  fail("expected true or false, found " + std::string(kind_name(*v)), key);
  return std::nullopt;
}

std::optional<std::int64_t> ObjectReader::count(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  if (!v) return std::nullopt;
  if (v->is_int64() && v->get_int64() >= 0) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  if (v->is_string()) {
    auto s = std::string_view(v->get_string());
    if (!s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::stoll(std::string(s));
    }
    fail("expected a whole number, found \"" + excerpt(s) + "\"", key);
    return std::nullopt;
  }
  fail("expected a whole number, found " + std::string(kind_name(*v)), key);
  return std::nullopt;
}

std::optional<std::int64_t> ObjectReader::time_ms(FieldNames names) {
  std::string_view key;
  const json::value* v = lookup(names, key);
  if (!v) return std::nullopt;
  if (v->is_int64() || v->is_uint64()) {
    auto n = v->is_int64() ? v->get_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
    if (n < 0 || n > kMaxEpochMs) {
      fail("epoch-ms value " + std::to_string(n) + " is outside 1970..9999", key);
      return std::nullopt;
    }
    return n;
  }
  if (v->is_string()) {
    std::string_view s = v->get_string();
    if (!s.empty() && s.front() >= '0' && s.front() <= '9' && s.find('-') == std::string_view::npos) {
      auto r = parse_epoch_ms(s);
      if (r) return *r;
      fail(r.error().message, key);
      return std::nullopt;
    }
    auto r = parse_rfc3339(s);
    if (r) return *r;
    auto d = parse_mdatp_date(s);
    if (d) return *d;
    fail("expected epoch milliseconds or an RFC 3339 time, found \"" + excerpt(s) + "\"", key);
    return std::nullopt;
  }
  fail("expected epoch milliseconds, found " + std::string(kind_name(*v)), key);
  return std::nullopt;
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

}  // namespace nexus_mde
