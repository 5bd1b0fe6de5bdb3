// How the CLI reaches Azure Resource Manager: the endpoint (management.azure.com, or a sovereign
// cloud's, or the emulator's), its TLS trust, the token, the api-version and the cluster named by
// --cluster/-g/--subscription. ARM requests run on the fan-out engine as a one-"node" run.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "plugin/fanout/fan_out.hpp"

namespace nexus_mde::plugin {

inline constexpr const char* kDefaultArmEndpoint = "https://management.azure.com";
inline constexpr const char* kDefaultApiVersion = "2026-07-01";
inline constexpr const char* kFallbackApiVersion = "2025-09-01";

struct ArmOptions {
  std::string cluster;                         // --cluster
  std::string resource_group;                  // -g/--resource-group
  std::string subscription;                    // --subscription
  std::string endpoint = kDefaultArmEndpoint;  // --arm-endpoint
  std::string ca_file;                         // --arm-ca-file; empty: the system's CAs
  std::string api_version;                     // --api-version; empty: the default, with fallback

  bool wanted() const { return !cluster.empty(); }
};

struct ArmAccess {
  Node endpoint;  // the ARM host as the fan-out's one node
  std::shared_ptr<boost::asio::ssl::context> tls;
  FanOutOptions fan_out;  // the token as bearer; timeout and deadline from the command
  std::string api_version;
  bool may_fall_back = false;  // the default version was chosen, so the fallback may be tried
  std::string cluster_path;  // /subscriptions/…/resourceGroups/…/providers/Microsoft.NetworkCloud/clusters/…
  std::string subscription;
};

Result<ArmAccess> open_arm_access(const ArmOptions& options, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds deadline);

}  // namespace nexus_mde::plugin
