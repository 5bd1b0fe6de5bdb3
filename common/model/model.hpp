// The domain model shared by agent and plugin. Every field that an input may lack is optional:
// absent means "unknown", never zero or false. Fields the model does not name are kept in `raw`
// (camelCase keys, values as given) so nothing a newer mdatp adds is dropped.
//
// Wire form (Boost.JSON, tag_invoke value_from): camelCase, Azure's convention; unknown values are
// null; times are RFC 3339 UTC strings with milliseconds. The readers in model_json.hpp accept
// this wire form and mdatp's own JSON shapes alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/model/enforcement.hpp"

namespace nexus_mde {

struct Health {
  std::optional<bool> healthy;
  std::optional<bool> licensed;
  std::optional<std::vector<std::string>> health_issues;
  std::optional<std::string> app_version;
  std::optional<std::string> engine_version;
  std::optional<std::string> org_id;
  std::optional<std::string> machine_guid;
  std::optional<std::string> edr_machine_id;
  std::optional<std::string> release_ring;
  std::optional<std::int64_t> product_expiration_ms;
  std::optional<bool> real_time_protection_enabled;
  std::optional<bool> real_time_protection_available;
  std::optional<std::string> real_time_protection_subsystem;
  std::optional<bool> passive_mode_enabled;
  std::optional<std::string> behavior_monitoring;
  std::optional<std::string> tamper_protection;
  std::optional<std::string> enforcement_level;  // mdatp's own name (real_time/on_demand/passive)
  std::optional<bool> automatic_definition_update_enabled;
  std::optional<std::string> definitions_version;
  std::optional<std::string> definitions_status;  // normalised to the text form: up_to_date, updating...
  std::optional<std::int64_t> definitions_updated_ms;
  std::optional<std::int64_t> definitions_updated_minutes_ago;
  std::vector<std::string> managed;  // camelCase names of settings under managed configuration
  boost::json::object raw;
};

struct Threat {
  std::optional<std::string> id;  // mdatp tracking id
  std::optional<std::string> name;
  std::optional<std::string> type;
  std::optional<std::string> status;  // the latest history value: quarantined, removed, allowed...
  std::optional<std::string> path;
  std::optional<std::int64_t> detected_ms;
  std::optional<std::string> scan_type;  // the scan that found it, where threats come grouped
  std::optional<std::int64_t> scan_start_ms;
  boost::json::object raw;
};

struct QuarantineEntry {
  std::optional<std::string> id;
  std::optional<std::string> name;
  std::optional<std::string> type;
  std::optional<std::string> path;
  std::optional<std::int64_t> quarantined_ms;
  boost::json::object raw;
};

struct ScanRecord {
  std::optional<std::string> id;     // the agent's scan id when the agent triggered it
  std::optional<std::string> type;   // quick, full, custom
  std::optional<std::string> state;  // succeeded, failed, cancelled, running, interrupted
  std::optional<std::int64_t> start_ms;
  std::optional<std::int64_t> end_ms;
  std::optional<std::int64_t> files_scanned;
  std::optional<std::int64_t> threat_count;  // threats.size() when the input lists them
  std::vector<Threat> threats;
  boost::json::object raw;

  std::optional<std::int64_t> duration_ms() const;
};

// One problem met while collecting a snapshot ("health", "scans", "threats", "quarantine", ...).
struct SnapshotError {
  std::string source;
  std::string message;
};

struct NodeSnapshot {
  std::string node;
  std::optional<Health> health;  // unknown when mdatp did not answer
  EnforcementReading enforcement;
  std::vector<ScanRecord> scans;
  std::vector<Threat> threats;
  std::vector<QuarantineEntry> quarantine;
  std::vector<SnapshotError> errors;
  // What was read with a guess or skipped: a line mdatp printed that could not be read, a field of
  // an unexpected type (read as unknown). Never a finding; the CLI says each once per run.
  std::vector<SnapshotError> warnings;
  std::int64_t collected_at_ms = 0;
  bool stale = false;
};

// The facts about enforcement that a Health carries, for read_enforcement().
MdatpEnforcementFacts enforcement_facts(const Health& health);

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Health& h);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Threat& t);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const QuarantineEntry& q);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const ScanRecord& s);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const SnapshotError& e);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const NodeSnapshot& n);

// What an mde-agent-information.json holds, as read (common/mdatp/agent_information.hpp).
// Every part may be missing: a missing part is unknown, not empty.
struct AgentInformation {
  std::optional<Health> health;                            // generalHealth, completed from mdeDefinitions
  std::optional<std::vector<ScanRecord>> scans;            // scanList
  std::optional<std::vector<Threat>> threats;              // threatInformation.list
  std::optional<std::vector<QuarantineEntry>> quarantine;  // threatInformation.quarantineList
  boost::json::object raw;  // diagnosticInformation, mdeConfiguration, mdeDefinitions, unknown keys
};

}  // namespace nexus_mde
