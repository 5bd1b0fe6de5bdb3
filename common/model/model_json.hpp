// Readers for the model from JSON: mdatp's own shapes (scan list, threat list, health) and the
// wire form written by tag_invoke in model.hpp. They never throw; a wrong type or value is an
// Error that names the field's path.
#pragma once

#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "common/model/model.hpp"
#include "common/sys/result.hpp"

namespace nexus_mde {

// With `warnings`, a field of the wrong type reads as unknown and is noted there instead of
// failing the whole reading (mdatp's drift between versions; see docs/formats.md).
Result<Health> health_from_json(const boost::json::object& object, const std::string& path,
                                std::vector<std::string>* warnings = nullptr);
Result<ScanRecord> scan_from_json(const boost::json::value& value, const std::string& path);
// A threat as mdatp lists it ({"threat":{…},"history":[{"key":…,"value":…}]}) or flat.
Result<Threat> threat_from_json(const boost::json::value& value, const std::string& path);
Result<QuarantineEntry> quarantine_entry_from_json(const boost::json::value& value, const std::string& path);
Result<EnforcementReading> enforcement_reading_from_json(const boost::json::value& value,
                                                         const std::string& path);
Result<NodeSnapshot> snapshot_from_json(const boost::json::value& value);

// Optional values to JSON: unknown is null.
boost::json::value optional_time(const std::optional<std::int64_t>& ms);

}  // namespace nexus_mde
