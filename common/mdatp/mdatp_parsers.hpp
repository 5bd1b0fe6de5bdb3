// Parsers for what `mdatp` prints (docs/formats.md; examples in tests/fixtures/mdatp and
// tests/fixtures/formats/mdatp). Tolerant of the drift between versions; malformed input yields an Error
// naming the field and the line or byte offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/model/model.hpp"
#include "common/sys/result.hpp"

namespace nexus_mde {

inline constexpr std::string_view kAttentionPrefix = "ATTENTION";

// `mdatp health` and `mdatp health --details X` text: one `key : value` per line. The result has
// camelCase keys and typed values: quoted strings, bare booleans and numbers, lists, dates as
// epoch-ms, `unavailable` as null, and ` [managed]` values wrapped as mdatp's JSON does
// ({"value":…,"isManaged":true}). A leading ATTENTION line is kept under "attention".
// A line that cannot be read (no key, a value cut short at the end) is skipped and noted in
// `warnings` with its line number; only output with no readable line at all is an error.
Result<boost::json::object> parse_mdatp_key_values(std::string_view text,
                                                   std::vector<std::string>* warnings = nullptr);

// Fields of an unexpected type read as unknown and are noted in `warnings` (docs/formats.md).
Result<Health> parse_health_text(std::string_view text, std::vector<std::string>* warnings = nullptr);
Result<Health> parse_health_json(std::string_view text, std::vector<std::string>* warnings = nullptr);
// Either form: JSON when the output (after an ATTENTION line) starts with '{'.
Result<Health> parse_health_output(std::string_view text, std::vector<std::string>* warnings = nullptr);

// `mdatp health --field NAME`: the value alone (ATTENTION line skipped; the last line counts, or
// the value after the banner when both share one line).
Result<boost::json::value> parse_health_field_output(std::string_view text);

// `mdatp scan list --output json`: an array of scans (camelCase, numbers as strings).
Result<std::vector<ScanRecord>> parse_scan_list_json(std::string_view text);
Result<std::vector<ScanRecord>> scan_list_from_json(const boost::json::value& value, const std::string& path);

// `mdatp threat list --output json`: {"threats":{"scans":[{…,"threats":[…]}]}} (snake_case,
// numbers). Threats come grouped by the scan that found them; they are returned flat, each
// carrying its scan's type and start, and the scans keep their threat count.
struct ThreatList {
  std::vector<ScanRecord> scans;
  std::vector<Threat> threats;
};
Result<ThreatList> parse_threat_list_json(std::string_view text);
Result<ThreatList> threat_list_from_json(const boost::json::value& value, const std::string& path);

// `mdatp threat list` text: blocks of "Id: …", "Name: …", "Type: …", "Detection time: …",
// "Status: …", "Path: …"; "No threats" or "No threats." when empty.
Result<std::vector<Threat>> parse_threat_list_text(std::string_view text);

// `mdatp threat quarantine list --output json`: {"type":"quarantined","threats":[…]}.
Result<std::vector<QuarantineEntry>> parse_quarantine_list_json(std::string_view text);
Result<std::vector<QuarantineEntry>> quarantine_list_from_json(const boost::json::value& value,
                                                               const std::string& path);

// `mdatp scan quick|full|custom` output: "Scan has finished\n\tN file(s) scanned\n\tM threat(s) detected".
struct ScanOutcome {
  std::int64_t files_scanned = 0;
  std::int64_t threats_detected = 0;
};
Result<ScanOutcome> parse_scan_output(std::string_view text);

// Drops a leading "ATTENTION: …" line (unlicensed devices print it on stdout before everything).
std::string_view strip_attention(std::string_view text, std::string_view* attention = nullptr);

}  // namespace nexus_mde
