#include "common/model/enforcement.hpp"

#include <boost/json.hpp>

#include "common/sys/text.hpp"

namespace nexus_mde {

std::string_view to_string(EnforcementLevel level) {
  switch (level) {
    case EnforcementLevel::Audit:
      return "Audit";
    case EnforcementLevel::Disabled:
      return "Disabled";
    case EnforcementLevel::OnDemand:
      return "OnDemand";
    case EnforcementLevel::Passive:
      return "Passive";
    case EnforcementLevel::RealTime:
      return "RealTime";
  }
  return "Unknown";
}

Result<EnforcementLevel> parse_enforcement_level(std::string_view text) {
  for (EnforcementLevel level : kAllEnforcementLevels) {
    if (iequals(text, to_string(level))) return level;
  }
  return make_error("unknown enforcement level \"" + std::string(text.substr(0, 64)) +
                    "\"; expected one of Audit, Disabled, OnDemand, Passive, RealTime");
}

const EnforcementMapping& mapping_for(EnforcementLevel level) {
  for (const auto& m : kEnforcementTable) {
    if (m.level == level) return m;
  }
  return kEnforcementTable.front();  // unreachable: the table covers every enumerator
}

namespace {

std::optional<EnforcementLevel> level_from_mdatp_name(std::string_view name) {
  for (const auto& m : kEnforcementTable) {
    if (!m.mdatp_level.empty() && iequals(name, m.mdatp_level)) return m.level;
  }
  return std::nullopt;
}

std::optional<EnforcementLevel> level_from_flags(bool rtp, bool passive) {
  for (const auto& m : kEnforcementTable) {
    if (m.service_running && m.real_time_protection == rtp && m.passive_mode == passive) return m.level;
  }
  return std::nullopt;
}

std::string flag_text(const char* name, bool v) { return std::string(name) + (v ? "=true" : "=false"); }

}  // namespace

EnforcementReading read_enforcement(const MdatpEnforcementFacts& facts) {
  EnforcementReading r;
  r.facts = facts;
  if (facts.service_running == false) {
    r.level = EnforcementLevel::Disabled;
    r.note = "MDE service not answering";
    return r;
  }
  std::optional<EnforcementLevel> by_name;
  if (facts.enforcement_level) {
    by_name = level_from_mdatp_name(*facts.enforcement_level);
    if (!by_name) r.note = "mdatp reports an unknown enforcement_level \"" + *facts.enforcement_level + "\"";
  }
  std::optional<EnforcementLevel> by_flags;
  if (facts.real_time_protection && facts.passive_mode) {
    by_flags = level_from_flags(*facts.real_time_protection, *facts.passive_mode);
  } else if (facts.real_time_protection == true) {
    by_flags = EnforcementLevel::RealTime;  // RTP on: real_time unless passive is also on (Audit)
  }

  if (by_name) {
    // The configured policy is what mdatp names; the flags are checked against it.
    r.level = by_name;
    const auto& m = mapping_for(*by_name);
    if ((facts.real_time_protection && m.real_time_protection != facts.real_time_protection) ||
        (facts.passive_mode && m.passive_mode != facts.passive_mode)) {
      r.consistent = false;
      r.note =
          "enforcement_level is " + *facts.enforcement_level + " but " +
          (facts.real_time_protection ? flag_text("real_time_protection_enabled", *facts.real_time_protection)
                                      : "") +
          (facts.real_time_protection && facts.passive_mode ? ", " : "") +
          (facts.passive_mode ? flag_text("passive_mode_enabled", *facts.passive_mode) : "");
    }
  } else if (by_flags) {
    r.level = by_flags;
  }
  if (r.level && mapping_for(*r.level).inferred) {
    r.inferred = true;
    if (r.note.empty())
      r.note = "Audit inferred from real-time protection on with passive mode on (mapping not documented)";
  }
  return r;
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, EnforcementLevel level) {
  jv = to_string(level);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const EnforcementReading& r) {
  boost::json::object o;
  o["level"] = r.level ? boost::json::value(to_string(*r.level)) : boost::json::value(nullptr);
  o["inferred"] = r.inferred;
  o["consistent"] = r.consistent;
  if (!r.note.empty()) o["note"] = r.note;
  boost::json::object f;
  auto put = [&](const char* k, const std::optional<bool>& v) {
    f[k] = v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  put("serviceRunning", r.facts.service_running);
  f["enforcementLevel"] = r.facts.enforcement_level ? boost::json::value(*r.facts.enforcement_level)
                                                    : boost::json::value(nullptr);
  put("realTimeProtectionEnabled", r.facts.real_time_protection);
  put("passiveModeEnabled", r.facts.passive_mode);
  o["mdatp"] = std::move(f);
  jv = std::move(o);
}

}  // namespace nexus_mde
