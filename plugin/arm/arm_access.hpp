// How the CLI reaches Azure Resource Manager: the endpoint (management.azure.com, or a sovereign
// cloud's, or the emulator's), its TLS trust, the token, the api-version and the clusters named by
// --cluster/-g/--subscription (or every cluster of the subscriptions, --all-clusters). ARM requests
// run on the fan-out engine, the endpoint standing in for a node.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/sys/result.hpp"
#include "plugin/fanout/fan_out.hpp"

namespace nexus_mde::plugin {

inline constexpr const char* kDefaultArmEndpoint = "https://management.azure.com";
inline constexpr const char* kDefaultApiVersion = "2026-07-01";
inline constexpr const char* kFallbackApiVersion = "2025-09-01";

struct ArmOptions {
  std::vector<std::string> clusters;           // --cluster (repeatable): NAME, RG/NAME or an ARM id
  std::string resource_group;                  // -g/--resource-group: the RG of a bare NAME
  std::vector<std::string> subscriptions;      // --subscription (repeatable)
  bool all_clusters = false;                   // --all-clusters
  std::string endpoint = kDefaultArmEndpoint;  // --arm-endpoint
  std::string ca_file;                         // --arm-ca-file; empty: the system's CAs
  std::string api_version;                     // --api-version; empty: the default, with fallback

  bool wanted() const { return !clusters.empty() || all_clusters; }
  // More than one cluster may answer: output names each node's cluster.
  bool fleet() const { return clusters.size() > 1 || all_clusters; }
};

// One cluster's place in ARM.
struct ClusterRef {
  std::string subscription;
  std::string resource_group;
  std::string name;

  std::string path() const;  // /subscriptions/…/resourceGroups/…/providers/Microsoft.NetworkCloud/clusters/…
};

// The clusters --cluster names. A bare NAME takes -g and the one --subscription; RG/NAME takes
// the one --subscription; an ARM id names all three. Problems name the flag and the entry.
Result<std::vector<ClusterRef>> cluster_refs(const ArmOptions& options);

// The cluster an ARM id (/subscriptions/S/resourceGroups/RG/providers/…/clusters/NAME) names;
// nullopt when it is not a cluster's id.
std::optional<ClusterRef> cluster_ref_of_id(std::string_view id);

struct ArmAccess {
  Target endpoint;  // the ARM host as the fan-out's one target
  std::shared_ptr<boost::asio::ssl::context> tls;
  FanOutOptions fan_out;  // the token as bearer; timeout and deadline from the command
  std::string api_version;
  bool may_fall_back = false;  // the default version was chosen, so the fallback may be tried
  std::string cluster_path;  // /subscriptions/…/resourceGroups/…/providers/Microsoft.NetworkCloud/clusters/…
  std::string subscription;

  // The same endpoint and token, aimed at another cluster.
  ArmAccess for_cluster(const ClusterRef& cluster) const;
};

// The endpoint, its trust and the token, with no cluster chosen (discovery of several clusters).
Result<ArmAccess> open_arm_endpoint(const ArmOptions& options, std::chrono::milliseconds timeout,
                                    std::chrono::milliseconds deadline);

// For the commands that act on one cluster: exactly one --cluster (several, or --all-clusters,
// is a usage error naming the flag).
Result<ArmAccess> open_arm_access(const ArmOptions& options, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds deadline);

}  // namespace nexus_mde::plugin
