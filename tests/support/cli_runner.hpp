// Runs the nexus-mde binary the way an operator's shell would, but without the machine's own
// config (HOME points nowhere) and with a timeout; and reads its `-o json` node list.
#pragma once

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/sys/process.hpp"

namespace nexus_mde::testing {

inline ProcessResult run_nexus_mde(const std::vector<std::string>& args,
                                   std::chrono::seconds timeout = std::chrono::seconds(60),
                                   std::vector<std::string> environment = {}) {
  std::vector<std::string> argv{NEXUS_MDE_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions o;
  o.timeout = timeout;
  environment.push_back("PATH=/usr/bin:/bin");
  environment.push_back("HOME=/nonexistent");  // no ~/.config/nexus-mde/config.toml from the machine
  o.environment = environment;
  auto r = run_process(argv, o);
  if (!r) throw std::runtime_error(r.error().describe());
  return std::move(*r);
}

// node name -> its entry, from a `-o json` document's "nodes".
inline std::map<std::string, boost::json::object> nodes_by_name(const std::string& out) {
  std::map<std::string, boost::json::object> m;
  boost::json::value doc = boost::json::parse(out);
  for (const auto& n : doc.at("nodes").as_array()) m[std::string(n.at("node").as_string())] = n.as_object();
  return m;
}

}  // namespace nexus_mde::testing
