#include "common/mdatp/agent_information.hpp"

#include <boost/json.hpp>

#include "common/json/json_events.hpp"
#include "common/mdatp/mdatp_parsers.hpp"
#include "common/model/model_builder.hpp"
#include "common/model/model_json.hpp"

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
  if (!health.definitions_updated_minutes_ago)
    health.definitions_updated_minutes_ago = d->definitions_updated_minutes_ago;
  if (!health.automatic_definition_update_enabled) {
    health.automatic_definition_update_enabled = d->automatic_definition_update_enabled;
  }
}

}  // namespace

struct AgentInformationParser::Impl {
  Impl(std::string w, bool track_positions)
      : what(std::move(w)), builder(ModelRoot::kAgentInformation, ""), parser(builder, track_positions) {}
  std::string what;
  ModelBuilder builder;
  JsonEventParser parser;
  bool failed = false;
  bool started = false;
};

AgentInformationParser::AgentInformationParser(std::string what, RecordSink* sink, bool track_positions)
    : impl_(std::make_unique<Impl>(std::move(what), track_positions)) {
  impl_->builder.set_sink(sink);
}
AgentInformationParser::~AgentInformationParser() = default;

bool AgentInformationParser::write(std::string_view chunk) {
  if (impl_->failed) return false;
  if (!impl_->started) {
    // The ATTENTION line of an unlicensed device may precede mdatp's JSON.
    impl_->started = true;
    chunk = strip_attention(chunk);
  }
  impl_->failed = !impl_->parser.write(chunk);
  return !impl_->failed;
}

JsonEventParser& AgentInformationParser::events() { return impl_->parser; }
const ModelBuilder& AgentInformationParser::builder() const { return impl_->builder; }

Result<AgentInformation> AgentInformationParser::finish() {
  if (!impl_->failed) impl_->failed = !impl_->parser.finish();
  if (impl_->builder.error()) return *impl_->builder.error();
  if (impl_->failed || !impl_->builder.complete()) {
    Error e = impl_->parser.syntax_error() ? *impl_->parser.syntax_error()
                                           : make_error("invalid JSON: incomplete document");
    e.field = impl_->what;
    if (!e.offset) e.offset = impl_->parser.offset();
    return e;
  }
  AgentInformation info = std::move(impl_->builder.agent_information());
  if (info.health) {
    if (auto d = info.raw.find("mdeDefinitions"); d != info.raw.end() && d->value().is_object()) {
      complete_definitions(*info.health, d->value().get_object());
    }
  }
  return info;
}

Result<AgentInformation> parse_agent_information(std::string_view text, std::string_view what) {
  AgentInformationParser parser{std::string(what)};
  parser.write(text);
  return parser.finish();
}

}  // namespace nexus_mde
