// What every command that talks to agents does first: the inventory, then the CA, credentials
// and timing. A problem with either is a usage error (exit 3) naming the flag, file or entry.
#pragma once

#include <chrono>
#include <vector>

#include "common/result.hpp"
#include "plugin/cli.hpp"

namespace nexus_mde::plugin {

struct ClusterSetup {
  std::vector<Node> nodes;
  AgentAccess access;
};

Result<ClusterSetup> prepare_cluster(const GlobalOptions& globals, std::chrono::seconds default_deadline);

}  // namespace nexus_mde::plugin
