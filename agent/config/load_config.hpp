// Everything the agent checks before it serves, in one place for --check-config, the start and a
// SIGHUP reload: the file read and parsed, flags applied, the files it names present, and the TLS
// certificate, key and client CA loaded by OpenSSL (a bad one is reported by file).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/agent_config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace nexus_mde::agent {

struct ConfigOverrides {
  std::string node;
  std::string mdatp_path;
};

struct LoadedConfig {
  std::optional<AgentConfig> config;               // set only when there are no problems
  std::shared_ptr<boost::asio::ssl::context> tls;  // the server context built from it
  std::vector<ConfigProblem> problems;
};

LoadedConfig load_config(const std::string& path, const ConfigOverrides& overrides,
                         const std::string& fallback_node);

}  // namespace nexus_mde::agent
