#include "common/agent_information.hpp"

#include <boost/json.hpp>

#include "common/json_reader.hpp"
#include "common/mdatp_parsers.hpp"
#include "common/model_json.hpp"

namespace nexus_mde {

namespace json = boost::json;

namespace {

// mdeDefinitions is probably `mdatp health --details definitions --output json` [inferred]: fill
// the definition fields that generalHealth lacks from it.
void complete_definitions(Health& health, const json::object& definitions) {
  auto d = health_from_json(definitions, "mdeDefinitions");
  if (!d) return;  // shape not documented: kept in raw either way
  if (!health.definitions_version) health.definitions_version = d->definitions_version;
  if (!health.definitions_status) health.definitions_status = d->definitions_status;
  if (!health.definitions_updated_ms) health.definitions_updated_ms = d->definitions_updated_ms;
  if (!health.definitions_updated_minutes_ago) health.definitions_updated_minutes_ago = d->definitions_updated_minutes_ago;
  if (!health.automatic_definition_update_enabled) {
    health.automatic_definition_update_enabled = d->automatic_definition_update_enabled;
  }
}

}  // namespace

Result<AgentInformation> parse_agent_information(std::string_view text, std::string_view what) {
  // A monotonic arena: the tree is built once, read once and dropped whole, and large extracts
  // parse faster and smaller that way.
  json::monotonic_resource arena;
  auto doc = parse_json_text(text, what, &arena);
  if (!doc) return doc.error();
  const auto* top = doc->if_object();
  if (!top) return make_error("expected a JSON object at the top, found " + std::string(kind_name(*doc)));

  AgentInformation info;
  for (const auto& kv : *top) {
    std::string_view key = kv.key();
    const json::value& v = kv.value();
    if (key == "generalHealth") {
      if (v.is_null()) continue;
      if (!v.is_object()) return make_error("expected an object, found " + std::string(kind_name(v)), "generalHealth");
      auto h = health_from_json(v.get_object(), "generalHealth");
      if (!h) return h.error();
      info.health = std::move(*h);
    } else if (key == "scanList") {
      if (v.is_null()) continue;
      auto scans = scan_list_from_json(v, "scanList");
      if (!scans) return scans.error();
      info.scans = std::move(*scans);
    } else if (key == "threatInformation") {
      if (v.is_null()) continue;
      const auto* ti = v.if_object();
      if (!ti) return make_error("expected an object, found " + std::string(kind_name(v)), "threatInformation");
      for (const auto& part : *ti) {
        if (part.key() == "list" && !part.value().is_null()) {
          auto list = threat_list_from_json(part.value(), "threatInformation.list");
          if (!list) return list.error();
          info.threats = std::move(list->threats);
        } else if (part.key() == "quarantineList" && !part.value().is_null()) {
          auto q = quarantine_list_from_json(part.value(), "threatInformation.quarantineList");
          if (!q) return q.error();
          info.quarantine = std::move(*q);
        } else {
          json::value& holder = info.raw["threatInformation"];
          if (!holder.is_object()) holder.emplace_object();
          holder.get_object()[part.key()] = json::value(part.value(), json::storage_ptr{});
        }
      }
    } else {
      // diagnosticInformation, mdeDefinitions, mdeConfiguration and anything newer: kept whole.
      info.raw[key] = json::value(v, json::storage_ptr{});
    }
  }
  if (info.health) {
    if (auto d = info.raw.find("mdeDefinitions"); d != info.raw.end() && d->value().is_object()) {
      complete_definitions(*info.health, d->value().get_object());
    }
  }
  return info;
}

}  // namespace nexus_mde
