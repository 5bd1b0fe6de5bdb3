#include "plugin/arm/arm_access.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <boost/url/parse.hpp>

#include "common/net/tls_context.hpp"
#include "common/sys/text.hpp"
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

std::string ClusterRef::path() const {
  return "/subscriptions/" + subscription + "/resourceGroups/" + resource_group +
         "/providers/Microsoft.NetworkCloud/clusters/" + name;
}

std::optional<ClusterRef> cluster_ref_of_id(std::string_view id) {
  // "", subscriptions, S, resourceGroups, RG, providers, Microsoft.NetworkCloud, clusters, NAME
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= id.size()) {
    auto slash = id.find('/', at);
    parts.emplace_back(id.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  if (parts.size() != 9 || !parts[0].empty() || !iequals(parts[1], "subscriptions") ||
      !iequals(parts[3], "resourceGroups") || !iequals(parts[5], "providers") ||
      !iequals(parts[6], "Microsoft.NetworkCloud") || !iequals(parts[7], "clusters")) {
    return std::nullopt;
  }
  ClusterRef ref{parts[2], parts[4], parts[8]};
  if (!valid_arm_name(ref.subscription) || !valid_arm_name(ref.resource_group) || !valid_arm_name(ref.name))
    return std::nullopt;
  return ref;
}

namespace {

Result<ClusterRef> cluster_ref(const ArmOptions& o, const std::string& entry) {
  std::string flag = "--cluster " + entry;
  if (entry.starts_with("/")) {
    auto ref = cluster_ref_of_id(entry);
    if (!ref)
      return make_error(
          "must be NAME, RG/NAME or the cluster's ARM id "
          "(/subscriptions/S/resourceGroups/RG/providers/Microsoft.NetworkCloud/clusters/NAME)",
          flag);
    return *ref;
  }
  ClusterRef ref;
  auto slash = entry.find('/');
  ref.name = slash == std::string::npos ? entry : entry.substr(slash + 1);
  ref.resource_group = slash == std::string::npos ? o.resource_group : entry.substr(0, slash);
  if (!valid_arm_name(ref.name)) return make_error("must be the cluster's ARM name", flag);
  if (ref.resource_group.empty())
    return make_error("the cluster's resource group is required: -g RG, or --cluster RG/NAME", flag);
  if (!valid_arm_name(ref.resource_group)) return make_error("must be a resource group name", flag);
  if (o.subscriptions.empty()) {
    return make_error(
        "the subscription ID is required with --cluster (or NEXUS_MDE_SUBSCRIPTION, AZURE_SUBSCRIPTION_ID)",
        "--subscription");
  }
  if (o.subscriptions.size() > 1) {
    return make_error(
        "with several --subscription, name the cluster by its ARM id "
        "(/subscriptions/S/resourceGroups/RG/providers/Microsoft.NetworkCloud/clusters/NAME)",
        flag);
  }
  ref.subscription = o.subscriptions.front();
  if (!valid_arm_name(ref.subscription)) return make_error("must be a subscription ID", "--subscription");
  return ref;
}

}  // namespace

Result<std::vector<ClusterRef>> cluster_refs(const ArmOptions& o) {
  std::vector<ClusterRef> refs;
  for (const auto& entry : o.clusters) {
    auto ref = cluster_ref(o, entry);
    if (!ref) return ref.error();
    bool repeated = std::any_of(refs.begin(), refs.end(),
                                [&](const ClusterRef& r) { return iequals(r.path(), ref->path()); });
    if (repeated) return make_error("names a cluster already named", "--cluster " + entry);
    refs.push_back(std::move(*ref));
  }
  return refs;
}

ArmAccess ArmAccess::for_cluster(const ClusterRef& cluster) const {
  ArmAccess a = *this;
  a.subscription = cluster.subscription;
  a.cluster_path = cluster.path();
  return a;
}

Result<ArmAccess> open_arm_endpoint(const ArmOptions& o, std::chrono::milliseconds timeout,
                                    std::chrono::milliseconds deadline) {
  for (const auto& s : o.subscriptions) {
    if (!valid_arm_name(s)) return make_error("must be a subscription ID", "--subscription " + s);
  }
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
  return a;
}

Result<ArmAccess> open_arm_access(const ArmOptions& o, std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds deadline) {
  if (o.all_clusters)
    return make_error("this command acts on one cluster: name it with --cluster", "--all-clusters");
  if (o.clusters.size() > 1)
    return make_error("this command acts on one cluster; several were given", "--cluster");
  auto refs = cluster_refs(o);
  if (!refs) return refs.error();
  if (refs->empty()) return make_error("must be the cluster's ARM name", "--cluster");
  auto a = open_arm_endpoint(o, timeout, deadline);
  if (!a) return a.error();
  return a->for_cluster(refs->front());
}

}  // namespace nexus_mde::plugin
