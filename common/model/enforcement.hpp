// The cluster's enforcement levels (Microsoft.NetworkCloud RuntimeProtectionEnforcementLevel)
// and how each one shows up in what mdatp reports. One table, kEnforcementTable, holds the mapping.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "common/sys/result.hpp"

namespace nexus_mde {

enum class EnforcementLevel { Audit, Disabled, OnDemand, Passive, RealTime };

inline constexpr std::array<EnforcementLevel, 5> kAllEnforcementLevels{
    EnforcementLevel::Audit, EnforcementLevel::Disabled, EnforcementLevel::OnDemand,
    EnforcementLevel::Passive, EnforcementLevel::RealTime};

// "RealTime" etc., exactly as ARM spells them.
std::string_view to_string(EnforcementLevel level);

// Case-insensitive ("realtime", "REALTIME", "RealTime"); anything else is an error whose message
// lists the five values.
Result<EnforcementLevel> parse_enforcement_level(std::string_view text);

struct EnforcementMapping {
  EnforcementLevel level;
  // mdatp's managed `antivirusEngine.enforcementLevel` / `--details antivirus` enforcement_level;
  // empty where the level has no mdatp counterpart.
  std::string_view mdatp_level;
  std::optional<bool> real_time_protection;  // expected real_time_protection_enabled
  std::optional<bool> passive_mode;          // expected passive_mode_enabled
  bool service_running;                      // Disabled stops the MDE service
  // True where the mapping is not publicly documented (Audit), so reports can flag it.
  bool inferred;
};

// RealTime <-> real_time (RTP on, passive off); OnDemand <-> on_demand (RTP off, passive off);
// Passive <-> passive (RTP off, passive on); Disabled <-> MDE service stopped / mdatp silent;
// Audit <-> real-time detection without remediation: undocumented, inferred as RTP on + passive on.
inline constexpr std::array<EnforcementMapping, 5> kEnforcementTable{{
    {EnforcementLevel::RealTime, "real_time", true, false, true, false},
    {EnforcementLevel::OnDemand, "on_demand", false, false, true, false},
    {EnforcementLevel::Passive, "passive", false, true, true, false},
    {EnforcementLevel::Disabled, "", std::nullopt, std::nullopt, false, false},
    {EnforcementLevel::Audit, "", true, true, true, true},
}};

const EnforcementMapping& mapping_for(EnforcementLevel level);

// What a node's mdatp says, each part possibly unknown.
struct MdatpEnforcementFacts {
  std::optional<bool> service_running;           // false when mdatp/the daemon does not answer
  std::optional<std::string> enforcement_level;  // "real_time" | "on_demand" | "passive" | other
  std::optional<bool> real_time_protection;
  std::optional<bool> passive_mode;
};

// The level a node is at, as far as its mdatp tells. mdatp may report enforcement_level and
// real_time_protection_enabled inconsistently; both are kept and `consistent` says so.
struct EnforcementReading {
  std::optional<EnforcementLevel> level;  // unknown when nothing conclusive was reported
  bool inferred = false;                  // the level rests on an undocumented mapping (Audit)
  bool consistent = true;                 // the reported facts agree with one another
  std::string note;                       // why, when inferred or inconsistent
  MdatpEnforcementFacts facts;
};

EnforcementReading read_enforcement(const MdatpEnforcementFacts& facts);

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, EnforcementLevel level);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const EnforcementReading& r);

}  // namespace nexus_mde
