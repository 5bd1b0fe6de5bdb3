// What every command that talks to agents does first: the inventory, then the CA, credentials
// and timing. A problem with either is a usage error (exit 3) naming the flag, file or entry.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/cli.hpp"

namespace nexus_mde::plugin {

struct ClusterSetup {
  std::vector<Node> nodes;
  AgentAccess access;
  // With --cluster: the bare-metal machines the nodes came from (what ARM says where no agent answers).
  std::vector<ArmMachine> machines;
  FindingOptions findings;
};

Result<ClusterSetup> prepare_cluster(const GlobalOptions& globals, std::chrono::seconds default_deadline);

// The same, with a problem explained on `err` ("nexus-mde status: --ca-file …: not a PEM …");
// nullopt then, and `failed` is the command's exit code: 3 for usage and configuration, and for
// ARM's own failures what arm_failure_exit_code says (throttled or unreachable: 2, the deadline: 4).
std::optional<ClusterSetup> prepare_cluster_or_explain(const GlobalOptions& globals,
                                                       std::chrono::seconds default_deadline,
                                                       std::string_view command, std::ostream& err,
                                                       ExitCode& failed);

// For ARM commands that prefer what the nodes' agents say (enforcement show, scan --via arm):
// agent access when agent credentials are given (--ca-file with --token-file or --cert/--key),
// nullopt without them. Bad credentials are explained on `err` and give false (exit 3).
bool optional_agent_access(const GlobalOptions& globals, std::string_view command, std::ostream& err,
                           std::optional<AgentAccess>& access);

// ARM access for the commands that act on the cluster resource itself (enforcement): --cluster
// and -g are required; the timeout is --timeout, the deadline --deadline or `default_deadline`.
// A problem is explained on `err` and gives nullopt (exit 3).
std::optional<ArmAccess> prepare_arm_or_explain(const GlobalOptions& globals,
                                                std::chrono::seconds default_deadline,
                                                std::string_view command, std::ostream& err);

}  // namespace nexus_mde::plugin
