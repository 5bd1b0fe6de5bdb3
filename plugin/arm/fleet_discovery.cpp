#include "plugin/arm/fleet_discovery.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include "common/sys/text.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/output/natural_order.hpp"

namespace nexus_mde::plugin {

namespace {

// ARM's per-subscription read budget is in the thousands per hour; a handful at once is polite.
constexpr std::size_t kArmConcurrency = 8;

// One conversation of type Talk per access, all run to their end, several at once on the one
// endpoint; each with an Error when it failed.
template <typename Talk>
struct Talks {
  std::vector<std::unique_ptr<Talk>> each;
  std::vector<std::optional<Error>> failures;
};

// `args`: what each Talk takes after its access.
template <typename Talk, typename... Args>
Talks<Talk> run_each(const std::vector<ArmAccess>& accesses, const Args&... args) {
  Talks<Talk> out;
  if (accesses.empty()) return out;
  std::vector<Conversation*> talks;
  for (const auto& a : accesses) {
    out.each.push_back(std::make_unique<Talk>(a, args...));
    talks.push_back(out.each.back().get());
  }
  std::vector<Target> endpoints(talks.size(), accesses.front().endpoint);
  FanOutOptions options = accesses.front().fan_out;
  options.concurrency = std::min(kArmConcurrency, talks.size());
  auto run = fan_out(endpoints, talks, *accesses.front().tls, options);
  for (const auto& o : run.outcomes) {
    if (o.state == ExchangeState::kOk)
      out.failures.emplace_back();
    else
      out.failures.emplace_back(arm_error(accesses.front(), o));
  }
  return out;
}

std::vector<FleetCluster> named_clusters(const ArmAccess& arm, const std::vector<ClusterRef>& refs) {
  std::vector<ArmAccess> accesses;
  for (const auto& ref : refs) accesses.push_back(arm.for_cluster(ref));
  auto discoveries = run_each<ClusterDiscovery>(accesses, true);
  std::vector<FleetCluster> out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    FleetCluster c{refs[i].name, refs[i].path(),         refs[i].subscription, refs[i].resource_group,
                   {},           discoveries.failures[i]};
    if (!c.failure) {
      c.id = discoveries.each[i]->cluster().id;
      c.machines = discoveries.each[i]->machines();
    }
    out.push_back(std::move(c));
  }
  return out;
}

// The machines of each subscription, grouped by cluster and sorted by name; a subscription that
// could not be listed is one entry with its failure.
std::vector<FleetCluster> every_cluster(const ArmAccess& arm, const std::vector<std::string>& subscriptions) {
  std::vector<ArmAccess> accesses;
  for (const auto& s : subscriptions) {
    accesses.push_back(arm);
    accesses.back().subscription = s;
  }
  auto listings = run_each<SubscriptionMachines>(accesses);
  std::vector<FleetCluster> failed;
  std::map<std::string, FleetCluster> by_id;  // lower-case id: ARM ids differ in case now and then
  for (std::size_t i = 0; i < subscriptions.size(); ++i) {
    if (listings.failures[i]) {
      failed.push_back(FleetCluster{
          "", "/subscriptions/" + subscriptions[i], subscriptions[i], "", {}, listings.failures[i]});
      continue;
    }
    for (const auto& m : listings.each[i]->machines()) {
      auto& c = by_id[to_lower(m.cluster_id)];
      if (c.id.empty()) {
        auto ref = cluster_ref_of_id(m.cluster_id);
        c.id = m.cluster_id;
        c.name = ref ? ref->name : m.cluster_id;
        c.subscription = ref ? ref->subscription : subscriptions[i];
        c.resource_group = ref ? ref->resource_group : "";
      }
      c.machines.push_back(m);
    }
  }
  std::vector<FleetCluster> out;
  for (auto& [id, c] : by_id) out.push_back(std::move(c));
  std::stable_sort(out.begin(), out.end(),
                   [](const FleetCluster& a, const FleetCluster& b) { return natural_less(a.name, b.name); });
  out.insert(out.end(), failed.begin(), failed.end());
  return out;
}

}  // namespace

Result<std::vector<FleetCluster>> discover_fleet(const ArmOptions& options, std::chrono::milliseconds timeout,
                                                 std::chrono::milliseconds deadline) {
  std::vector<ClusterRef> refs;
  if (!options.all_clusters) {
    auto named = cluster_refs(options);
    if (!named) return named.error();
    refs = std::move(*named);
  } else if (options.subscriptions.empty()) {
    return make_error(
        "needs the subscription(s) to list (--subscription, NEXUS_MDE_SUBSCRIPTION, AZURE_SUBSCRIPTION_ID)",
        "--all-clusters");
  }
  auto arm = open_arm_endpoint(options, timeout, deadline);
  if (!arm) return arm.error();
  if (options.all_clusters) return every_cluster(*arm, options.subscriptions);
  return named_clusters(*arm, refs);
}

}  // namespace nexus_mde::plugin
