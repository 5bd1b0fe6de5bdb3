// `mde-agent-information.json`, the file inside a Nexus `mde-agent-information` data extract:
// {"diagnosticInformation":{…},"mdeDefinitions":…,"generalHealth":…,"mdeConfiguration":…,
//  "scanList":[…],"threatInformation":{"list":{…},"quarantineList":{…}}}
// (tests/fixtures/extracts has real ones). Every part may be missing: a
// missing part is unknown, not empty.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/model.hpp"
#include "common/sys/result.hpp"

namespace nexus_mde {

// Parses the file's text. `what` names the input in errors (a file path). Errors name the field
// path ("scanList[3].startTime") or the byte offset of a JSON syntax error.
Result<AgentInformation> parse_agent_information(std::string_view text, std::string_view what);

// The same, fed in chunks as the file is read: the text is never held whole, and no JSON tree
// is built for the scan and threat lists (a 100 MB extract is read record by record).
class RecordSink;
class ModelBuilder;
class JsonEventParser;

class AgentInformationParser {
 public:
  // With a sink, scans, threats and quarantine entries go to it as they are read (see
  // ModelBuilder::set_sink) and the result's lists stay empty but present. `track_positions`:
  // see JsonEventParser.
  explicit AgentInformationParser(std::string what, RecordSink* sink = nullptr, bool track_positions = false);
  ~AgentInformationParser();
  AgentInformationParser(const AgentInformationParser&) = delete;
  AgentInformationParser& operator=(const AgentInformationParser&) = delete;

  bool write(std::string_view chunk);  // false once the input is known to be bad
  Result<AgentInformation> finish();

  // Its parts, for reading one file in two parts at once (plugin/report/split_parse.hpp).
  JsonEventParser& events();
  const ModelBuilder& builder() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nexus_mde
