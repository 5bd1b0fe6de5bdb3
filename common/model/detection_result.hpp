// The outcome of a detection test (POST /v1/detection-test): the agent wrote the EICAR test
// string to a new file and watched whether MDE caught it. The agent sends it; the CLI reads it.
// Wire form (camelCase): {"detected","method","threat","action","timeToDetectMs","file",
// "startedAt","requestedBy","error"}; unknowns null.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "common/sys/result.hpp"

namespace nexus_mde {

struct DetectionResult {
  bool detected = false;
  std::string method;  // "real-time" (RTP on: watched mdatp's threat list) or "scan" (custom scan)
  std::optional<std::string> threat;  // mdatp's name for it ("Virus:DOS/EICAR_Test_File")
  std::string action = "none";        // quarantined, removed, allowed, none
  std::optional<std::int64_t> time_to_detect_ms;
  std::string file;  // where the test file was written (and removed)
  std::int64_t started_at_ms = 0;
  std::string requested_by;
  std::string error;  // why detection was not proven, when it was not
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const DetectionResult& r);

Result<DetectionResult> detection_result_from_json(const boost::json::value& value);

// mdatp's threat status as the action taken: quarantined; removed (also cleaned); allowed; none.
std::string detection_action(const std::optional<std::string>& threat_status);

// The detection test's file: this prefix, 16 hex digits, ".com", in its configured folder.
inline constexpr std::string_view kDetectionFilePrefix = "nexus-mde-eicar-";
std::string detection_file_name(const std::string& random_hex16);

// A threat (or quarantined item) the detection test made: the EICAR test file's threat name on a
// file named as the test names its files. Both must match, so a real threat never passes for a
// test by its file name alone.
bool made_by_detection_test(const std::optional<std::string>& threat_name,
                            const std::optional<std::string>& path);

}  // namespace nexus_mde
