#include "common/mdatp/mdatp_parsers.hpp"

#include <algorithm>
#include <array>

#include <boost/json.hpp>

#include "common/json/json_events.hpp"
#include "common/json/json_reader.hpp"
#include "common/model/model_builder.hpp"
#include "common/model/model_json.hpp"
#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

constexpr std::string_view kManagedSuffix = "[managed]";

Error line_error(std::string message, std::string field, std::size_t line) {
  Error e = make_error(std::move(message), std::move(field));
  e.line = line;
  return e;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads a double-quoted string starting at s[0] == '"'. Returns the index after the closing
// quote, or npos when the string is not closed.
std::size_t read_quoted(std::string_view s, std::string& out) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      out += s[++i];
    } else if (c == '"') {
      return i + 1;
    } else {
      out += c;
    }
  }
  return std::string_view::npos;
}

// A bare or quoted text value as mdatp prints it.
Result<json::value> text_value(std::string_view raw, const std::string& key) {
  std::string_view v = trim(raw);
  if (v.empty()) return json::value(nullptr);
  if (v.front() == '"') {
    std::string s;
    if (read_quoted(v, s) == std::string_view::npos) return make_error("unterminated quoted value", key);
    return json::value(s);
  }
  if (v.front() == '[') {
    auto close = v.rfind(']');
    if (close == std::string_view::npos) return make_error("unterminated list", key);
    auto parsed = parse_json_text(v.substr(0, close + 1), key);
    if (!parsed) return make_error("malformed list \"" + excerpt(v) + "\"", key);
    return std::move(*parsed);
  }
  if (auto date = parse_mdatp_date(v)) return json::value(*date);
  // Bare words: take the first token (a note may follow, e.g. "true   <--- ENABLED").
  std::string_view token = v.substr(0, v.find_first_of(" \t"));
  if (token == "true") return json::value(true);
  if (token == "false") return json::value(false);
  if (token == "unavailable" || token == "null") return json::value(nullptr);
  if (all_digits(token) && token.size() <= 18) return json::value(std::stoll(std::string(token)));
  return json::value(std::string(v));
}

}  // namespace

std::string_view strip_attention(std::string_view text, std::string_view* attention) {
  std::string_view rest = text;
  while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r')) rest.remove_prefix(1);
  if (starts_with(rest, kAttentionPrefix)) {
    auto nl = rest.find('\n');
    if (attention) *attention = trim(rest.substr(0, nl));
    return nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  return text;
}

namespace {

void note(std::vector<std::string>* warnings, std::size_t line_no, std::string message) {
  if (warnings) warnings->push_back("line " + std::to_string(line_no) + ": " + std::move(message));
}

// A quoted value wrapped over several lines (seen in copies of real output): joins the lines that
// follow until the quote closes. False when it never closes.
bool join_wrapped_quote(std::string& value_text, const std::vector<std::string_view>& lines, std::size_t& i) {
  if (value_text.empty() || value_text.front() != '"') return true;
  std::string scratch;
  while (read_quoted(value_text, scratch) == std::string_view::npos) {
    if (i + 1 >= lines.size()) return false;
    value_text += std::string(trim(lines[++i]));
    scratch.clear();
  }
  return true;
}

std::string_view without_managed_suffix(std::string_view v, bool& managed) {
  managed = v.size() >= kManagedSuffix.size() && v.substr(v.size() - kManagedSuffix.size()) == kManagedSuffix;
  return managed ? trim(v.substr(0, v.size() - kManagedSuffix.size())) : v;
}

}  // namespace

Result<json::object> parse_mdatp_key_values(std::string_view text, std::vector<std::string>* warnings) {
  std::string_view attention;
  std::string_view body = strip_attention(text, &attention);
  std::size_t first_line = attention.empty() ? 1 : 2;
  auto lines = split_lines(body);
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  json::object out;
  if (!attention.empty()) out["attention"] = std::string(attention);

  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::size_t line_no = first_line + i;
    std::string_view line = trim(lines[i]);
    if (line.empty() || line == "..." || line == "\xE2\x80\xA6") continue;  // blank or an elision
    auto colon = line.find(':');
    std::string_view key = colon == std::string_view::npos ? std::string_view{} : trim(line.substr(0, colon));
    if (key.empty() || key.find_first_of(" \t\"") != std::string_view::npos) {
      note(warnings, line_no, "expected \"key : value\", found \"" + excerpt(line) + "\"; skipped");
      continue;
    }
    std::string camel = snake_to_camel(key);
    std::string value_text(trim(line.substr(colon + 1)));
    bool last = i + 1 == lines.size();
    if (value_text.empty() && last) {
      note(warnings, line_no,
           "\"" + std::string(key) + "\" has no value: the output looks cut short; skipped");
      continue;
    }
    if (!join_wrapped_quote(value_text, lines, i)) {
      note(
          warnings, line_no,
          "the quoted value of \"" + std::string(key) + "\" never ends: the output looks cut short; skipped");
      continue;
    }
    bool managed = false;
    std::string_view vt = without_managed_suffix(trim(value_text), managed);
    auto value = text_value(vt, camel);
    if (!value) {
      note(warnings, line_no, camel + ": " + value.error().message + "; skipped");
      continue;
    }
    if (managed) {
      out[camel] = json::object{{"displayValue", true}, {"isManaged", true}, {"value", std::move(*value)}};
    } else {
      out[camel] = std::move(*value);
    }
  }
  if (out.empty() || (out.size() == 1 && out.contains("attention"))) {
    return make_error("no \"key : value\" lines in the output", "health");
  }
  return out;
}

Result<Health> parse_health_text(std::string_view text, std::vector<std::string>* warnings) {
  auto fields = parse_mdatp_key_values(text, warnings);
  if (!fields) return fields.error();
  return health_from_json(*fields, "", warnings);
}

Result<Health> parse_health_json(std::string_view text, std::vector<std::string>* warnings) {
  std::string_view attention;
  std::string_view body = strip_attention(text, &attention);
  auto doc = parse_json_text(body, "health");
  if (!doc) return doc.error();
  if (!doc->is_object())
    return make_error("expected a JSON object, found " + std::string(kind_name(*doc)), "health");
  auto h = health_from_json(doc->get_object(), "", warnings);
  if (h && !attention.empty()) h->raw["attention"] = std::string(attention);
  return h;
}

Result<Health> parse_health_output(std::string_view text, std::vector<std::string>* warnings) {
  std::string_view body = trim(strip_attention(text));
  if (!body.empty() && body.front() == '{') return parse_health_json(text, warnings);
  return parse_health_text(text, warnings);
}

namespace {

// The value after the banner when mdatp prints both on one line, as documented for an unlicensed
// device: `ATTENTION: No license found. Contact your administrator for help. ["missing license"]`.
std::string_view value_after_banner(std::string_view attention) {
  for (auto at = attention.find(". "); at != std::string_view::npos; at = attention.find(". ", at + 1)) {
    std::string_view rest = trim(attention.substr(at + 2));
    if (!rest.empty() && (rest.front() == '[' || rest.front() == '"')) return rest;
  }
  return {};
}

}  // namespace

Result<json::value> parse_health_field_output(std::string_view text) {
  std::string_view attention;
  auto lines = split_lines(strip_attention(text, &attention));
  std::string_view last;
  for (auto l : lines) {
    if (!trim(l).empty()) last = trim(l);
  }
  if (last.empty()) last = value_after_banner(attention);
  if (last.empty()) return make_error("empty output", "field");
  bool managed = false;
  return text_value(without_managed_suffix(last, managed), "field");
}

namespace {

// Runs a ModelBuilder over text streamed straight into it (no tree is built).
template <typename Pick>
auto build_from_text(ModelRoot root, std::string_view text, const std::string& path, Pick&& pick)
    -> Result<std::decay_t<decltype(pick(std::declval<ModelBuilder&>()))>> {
  ModelBuilder builder(root, path);
  JsonEventParser parser(builder);
  bool ok = parser.write(strip_attention(text)) && parser.finish();
  if (builder.error()) return *builder.error();
  if (!ok || parser.syntax_error()) {
    Error e = parser.syntax_error() ? *parser.syntax_error() : make_error("invalid JSON");
    e.field = path;
    return e;
  }
  return std::move(pick(builder));
}

auto& pick_scans(ModelBuilder& b) { return b.scans(); }
auto& pick_quarantine(ModelBuilder& b) { return b.quarantine(); }
ThreatList pick_threat_list(ModelBuilder& b) {
  return ThreatList{std::move(b.scans()), std::move(b.threats())};
}

}  // namespace

Result<std::vector<ScanRecord>> scan_list_from_json(const json::value& value, const std::string& path) {
  return build_from_tree(ModelRoot::kScanList, value, path, pick_scans);
}

Result<std::vector<ScanRecord>> parse_scan_list_json(std::string_view text) {
  return build_from_text(ModelRoot::kScanList, text, "scans", pick_scans);
}

Result<ThreatList> threat_list_from_json(const json::value& value, const std::string& path) {
  return build_from_tree(ModelRoot::kThreatList, value, path, pick_threat_list);
}

Result<ThreatList> parse_threat_list_json(std::string_view text) {
  return build_from_text(ModelRoot::kThreatList, text, "threatList", pick_threat_list);
}

Result<std::vector<QuarantineEntry>> quarantine_list_from_json(const json::value& value,
                                                               const std::string& path) {
  return build_from_tree(ModelRoot::kQuarantineList, value, path, pick_quarantine);
}

Result<std::vector<QuarantineEntry>> parse_quarantine_list_json(std::string_view text) {
  return build_from_text(ModelRoot::kQuarantineList, text, "quarantineList", pick_quarantine);
}

namespace {

// ctime-style "Sun Jun 21 23:17:07 2026", as `mdatp threat list` text prints detection times.
Result<std::int64_t> parse_ctime(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<std::string_view> parts;
  while (!s.empty()) {
    s = trim(s);
    auto sp = s.find(' ');
    parts.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp);
  }
  if (parts.size() != 5) return make_error("not a date");
  int mo = 0;
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (parts[1] == kMonths[i]) mo = static_cast<int>(i) + 1;
  }
  if (mo == 0 || !all_digits(parts[2]) || parts[2].size() > 2 || parts[3].size() != 8 ||
      !all_digits(parts[4]) || parts[4].size() != 4) {
    return make_error("not a date");
  }
  std::string iso = std::string(parts[4]) + "-" + (mo < 10 ? "0" : "") + std::to_string(mo) + "-" +
                    (parts[2].size() == 1 ? "0" : "") + std::string(parts[2]) + "T" + std::string(parts[3]) +
                    "Z";
  return parse_rfc3339(iso);
}

}  // namespace

Result<std::vector<Threat>> parse_threat_list_text(std::string_view text) {
  std::string_view body = strip_attention(text);
  std::vector<Threat> out;
  if (std::string_view b = trim(body); b.empty() || b == "No threats" || b == "No threats.") return out;
  auto lines = split_lines(body);
  Threat* current = nullptr;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty()) {
      current = nullptr;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return line_error("expected \"Key: value\", found \"" + excerpt(line) + "\"", "threat", i + 1);
    }
    std::string key(trim(line.substr(0, colon)));
    std::string_view raw_value = trim(line.substr(colon + 1));
    std::string value;
    if (!raw_value.empty() && raw_value.front() == '"') {
      if (read_quoted(raw_value, value) == std::string_view::npos) {
        return line_error("unterminated quoted value", key, i + 1);
      }
    } else {
      value = std::string(raw_value);
    }
    std::string lower;
    for (char c : key) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    if (!current || (lower == "id" && current->id) || (lower == "name" && current->name)) {
      out.emplace_back();
      current = &out.back();
    }
    if (lower == "id") {
      current->id = value;
    } else if (lower == "name") {
      current->name = value;
    } else if (lower == "type") {
      current->type = value;
    } else if (lower == "status") {
      current->status = value;
    } else if (lower == "path") {
      current->path = value;
    } else if (lower == "detection time") {
      auto t = parse_ctime(value);
      if (!t) return line_error("not a date: \"" + excerpt(value) + "\"", "detection time", i + 1);
      current->detected_ms = *t;
    } else {
      current->raw[snake_to_camel(lower == "sha256" ? lower : std::string(key))] = value;
    }
  }
  return out;
}

Result<ScanOutcome> parse_scan_output(std::string_view text) {
  std::string_view body = strip_attention(text);
  bool finished = false;
  std::optional<std::int64_t> files;
  std::optional<std::int64_t> threats;
  auto lines = split_lines(body);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line == "Scan has finished") finished = true;
    auto sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view number = line.substr(0, sp);
    std::string_view rest = line.substr(sp + 1);
    if (!all_digits(number) || number.size() > 18) continue;
    if (rest == "file(s) scanned") files = std::stoll(std::string(number));
    if (rest == "threat(s) detected") threats = std::stoll(std::string(number));
  }
  if (!finished) return make_error("no \"Scan has finished\" line in the scan output", "scan");
  if (!files) return make_error("no \"file(s) scanned\" count in the scan output", "scan");
  if (!threats) return make_error("no \"threat(s) detected\" count in the scan output", "scan");
  return ScanOutcome{*files, *threats};
}

}  // namespace nexus_mde
