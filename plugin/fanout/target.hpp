// Whom the engine talks to: a name its certificate must carry and where it listens. A node's
// agent, ARM and a storage host are all targets; the engine knows nothing else about them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nexus_mde::plugin {

struct Target {
  std::string name;  // what its certificate must name (DNS SAN), or its address (IP SAN)
  std::string host;  // IPv4, IPv6 (no brackets) or a DNS name
  std::uint16_t port = 443;

  // "10.1.2.3:9448", "[fd00::5]:9448"
  std::string endpoint() const {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
};

}  // namespace nexus_mde::plugin
