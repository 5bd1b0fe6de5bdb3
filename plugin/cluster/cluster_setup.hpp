// What every command that talks to agents does first: the inventory, then the CA, credentials
// and timing. A problem with either is a usage error (exit 3) naming the flag, file or entry.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include "common/sys/result.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/node_report.hpp"

namespace nexus_mde::plugin {

struct ClusterSetup {
  std::vector<Node> nodes;
  AgentAccess access;
  // With --cluster: the bare-metal machines the nodes came from (what ARM says where no agent answers).
  std::vector<ArmMachine> machines;
  FindingOptions findings;
  // Over several clusters (--cluster repeated, --all-clusters): each one, and why ARM could not read it.
  std::vector<ClusterGroup> clusters;
};

// The nodes ARM lists for --cluster (or --all-clusters), with their machines and, for a fleet,
// their clusters. One cluster that ARM cannot read is an Error (its field starts "ARM "); in a
// fleet it is a ClusterGroup with its failure, and an Error only when no cluster could be read.
struct DiscoveredNodes {
  std::vector<Node> nodes;
  std::vector<ArmMachine> machines;
  std::vector<ClusterGroup> clusters;
};
Result<DiscoveredNodes> discover_nodes(const ArmOptions& options, std::chrono::milliseconds timeout,
                                       std::chrono::milliseconds deadline);

// Each cluster ARM could not read, a line each on `err` ("nexus-mde status: c03 not read: …");
// true when there was one.
bool explain_clusters_not_read(const std::vector<ClusterGroup>& clusters, std::string_view command,
                               std::ostream& err);

// --timeout, and --deadline or `default_deadline`, for ARM calls; a bad value names its flag.
struct ArmTiming {
  std::chrono::milliseconds timeout;
  std::chrono::milliseconds deadline;
};
Result<ArmTiming> arm_timing(const GlobalOptions& globals, std::chrono::seconds default_deadline);

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
