// Benchmark trial (figures only): simdjson On-Demand for report's hot loop, the scanList and
// threatInformation.list.threats.scans records of an mde-agent-information.json. It reads each
// record's fields as `report` does (times given as strings or numbers, to RFC 3339; a scan's
// threats; the fields it does not know kept as raw JSON) and writes one JSON line per record,
// so its time compares with `nexus-mde report -o json` on the same file (docs/performance.md,
// "Two decisions on the report's parser").
// Usage: simdjson-trial FILE > /dev/null; prints records and seconds on stderr.
#include <simdjson.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "common/sys/time.hpp"

namespace od = simdjson::ondemand;

namespace {

// mdatp writes epoch-ms as "1697204633259" in one output and 1697204633259 in another.
std::optional<std::int64_t> epoch_ms(od::value v) {
  if (v.type() == od::json_type::number) {
    std::int64_t n = 0;
    if (v.get_int64().get(n) == simdjson::SUCCESS) return n;
    return std::nullopt;
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

// A value's JSON text as given: On-Demand has raw_json() for arrays and objects, a token for the rest.
std::string_view raw_text(od::value v) {
  switch (v.type().value()) {
    case od::json_type::array:
      return v.get_array().value().raw_json().value();
    case od::json_type::object:
      return v.get_object().value().raw_json().value();
    default: {
      std::string_view token = v.raw_json_token();
      while (!token.empty() && (token.back() == ' ' || token.back() == '\n')) token.remove_suffix(1);
      return token;
    }
  }
}

void time_field(std::string& out, std::string_view name, std::optional<std::int64_t> ms) {
  out += ",\"";
  out += name;
  out += "\":";
  if (auto t = ms ? nexus_mde::format_rfc3339_ms(*ms) : nexus_mde::Result<std::string>(std::string());
      t && ms) {
    out += '"';
    out += *t;
    out += '"';
  } else {
    out += "null";
  }
}

// One scan record: known fields read, the rest kept as raw JSON.
void scan(od::object record, std::string& out) {
  std::optional<std::int64_t> start, end;
  std::string known = "{\"kind\":\"scan\"", raw = ",\"raw\":{";
  std::size_t threats = 0;
  bool first_raw = true;
  for (auto field : record) {
    std::string_view key = field.unescaped_key().value();
    od::value v = field.value();
    if (key == "startTime" || key == "start_time") {
      start = epoch_ms(v);
    } else if (key == "endTime" || key == "end_time") {
      end = epoch_ms(v);
    } else if (key == "type" || key == "state") {
      known += ",\"" + std::string(key) + "\":\"" + std::string(v.get_string().value()) + "\"";
    } else if (key == "filesScanned" || key == "files_scanned") {
      auto n = epoch_ms(v);
      known += ",\"filesScanned\":" + (n ? std::to_string(*n) : std::string("null"));
    } else if (key == "threats") {
      known += ",\"threats\":[";
      for (auto t : v.get_array()) {
        if (threats++) known += ',';
        known += raw_text(t.value());
      }
      known += ']';
    } else {
      raw += first_raw ? "\"" : ",\"";
      first_raw = false;
      raw += key;
      raw += "\":";
      raw += raw_text(v);
    }
  }
  out += known;
  time_field(out, "startTime", start);
  time_field(out, "endTime", end);
  out += ",\"threatCount\":" + std::to_string(threats) + raw + "}}\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: simdjson-trial FILE\n";
    return 3;
  }
  auto begun = std::chrono::steady_clock::now();
  simdjson::padded_string json;
  if (simdjson::padded_string::load(argv[1]).get(json) != simdjson::SUCCESS) {
    std::cerr << "simdjson-trial: cannot read " << argv[1] << "\n";
    return 3;
  }
  auto loaded = std::chrono::steady_clock::now();
  od::parser parser;
  od::document doc = parser.iterate(json);
  std::string out;
  std::size_t records = 0;
  try {
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key().value();
      if (key == "scanList") {
        for (auto r : field.value().get_array()) scan(r.get_object(), out), ++records;
      } else if (key == "threatInformation") {
        od::value scans = field.value()["list"]["threats"]["scans"];
        for (auto r : scans.get_array()) scan(r.get_object(), out), ++records;
      }
      if (out.size() > (1u << 20)) std::cout << out, out.clear();
    }
  } catch (const simdjson::simdjson_error& e) {
    std::cerr << "simdjson-trial: " << e.what() << "\n";
    return 1;
  }
  std::cout << out;
  std::cout.flush();
  auto now = std::chrono::steady_clock::now();
  std::cerr << records << " records, " << std::chrono::duration<double>(now - begun).count() << " s (load "
            << std::chrono::duration<double>(loaded - begun).count() << " s)\n";
  return 0;
}
