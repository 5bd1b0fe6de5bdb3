// A scan triggered through the agent (POST /v1/scans): who asked, when, which kind, how it ended.
// The agent persists these and serves them; the CLI reads them back when it waits for a scan.
// Wire form (camelCase): {"id","type","state","requestedBy","peer","requestedAt","endedAt",
// "filesScanned","threatsDetected","error"}, times RFC 3339 UTC, unknowns null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

#include "common/sys/result.hpp"

namespace nexus_mde {

struct ScanTrigger {
  std::string id;            // 32 hex digits, random
  std::string type;          // quick, full
  std::string state;         // running, succeeded, failed, interrupted
  std::string requested_by;  // the identity that asked
  std::string peer;          // from where
  std::int64_t requested_at_ms = 0;
  std::optional<std::int64_t> ended_at_ms;
  std::optional<std::int64_t> files_scanned;
  std::optional<std::int64_t> threats_detected;
  std::string error;  // why it failed or was interrupted

  bool finished() const { return state != "running"; }
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const ScanTrigger& t);

// id, type, state and requestedAt are required; `path` names the value in errors.
Result<ScanTrigger> scan_trigger_from_json(const boost::json::value& value, const std::string& path);

}  // namespace nexus_mde
