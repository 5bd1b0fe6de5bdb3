#include "plugin/arm/arm_access.hpp"

#include <cctype>
#include <cstdlib>

#include <boost/url/parse.hpp>

#include "common/net/tls_context.hpp"
#include "plugin/arm/arm_token.hpp"

namespace nexus_mde::plugin {

namespace {

// ARM names: letters, digits, '-', '_', '.', '(', ')'; nothing that would change the URL path.
bool valid_arm_name(const std::string& s) {
  if (s.empty() || s.size() > 90) return false;
  for (unsigned char c : s) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '(' || c == ')')) return false;
  }
  return true;
}

}  // namespace

Result<ArmAccess> open_arm_access(const ArmOptions& o, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds deadline) {
  if (!valid_arm_name(o.cluster)) return make_error("must be the cluster's ARM name", "--cluster");
  if (o.resource_group.empty())
    return make_error("the cluster's resource group is required with --cluster", "-g/--resource-group");
  if (!valid_arm_name(o.resource_group))
    return make_error("must be a resource group name", "-g/--resource-group");
  const std::string& subscription = o.subscription;
  if (subscription.empty()) {
    return make_error(
        "the subscription ID is required with --cluster (or NEXUS_MDE_SUBSCRIPTION, AZURE_SUBSCRIPTION_ID)",
        "--subscription");
  }
  if (!valid_arm_name(subscription)) return make_error("must be a subscription ID", "--subscription");
  auto url = boost::urls::parse_absolute_uri(o.endpoint);
  if (!url || url->scheme() != "https" || url->host().empty() ||
      (!url->path().empty() && url->path() != "/")) {
    return make_error("must be an https:// URL with no path, like https://management.azure.com",
                      "--arm-endpoint");
  }
  ArmAccess a;
  a.endpoint.name = url->host();
  a.endpoint.host = url->host();
  if (!a.endpoint.host.empty() && a.endpoint.host.front() == '[')
    a.endpoint.host = a.endpoint.host.substr(1, a.endpoint.host.size() - 2);
  a.endpoint.port = url->has_port() ? static_cast<std::uint16_t>(url->port_number()) : 443;
  a.endpoint.source = "--arm-endpoint";
  auto tls = net::make_client_tls_context({o.ca_file, "", ""});
  if (!tls.context)
    return make_error(tls.problems.front().message, "--arm-ca-file " + tls.problems.front().file);
  a.tls = std::move(tls.context);
  auto token = arm_token(o.endpoint);
  if (!token) return token.error();
  a.fan_out.bearer_token = std::move(*token);
  a.fan_out.timeout = timeout;
  a.fan_out.deadline = deadline;
  a.fan_out.concurrency = 1;
  a.api_version = o.api_version.empty() ? kDefaultApiVersion : o.api_version;
  a.may_fall_back = o.api_version.empty();
  a.subscription = subscription;
  a.cluster_path = "/subscriptions/" + subscription + "/resourceGroups/" + o.resource_group +
                   "/providers/Microsoft.NetworkCloud/clusters/" + o.cluster;
  return a;
}

}  // namespace nexus_mde::plugin
