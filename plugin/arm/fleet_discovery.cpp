#include "plugin/arm/fleet_discovery.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "common/sys/text.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/output/natural_order.hpp"

namespace nexus_mde::plugin {

namespace {

// ARM's per-subscription read budget is in the thousands per hour; a handful at once is polite.
constexpr std::size_t kArmConcurrency = 8;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every conversation to its end, several at once on the one endpoint; an Error for each that failed.
std::vector<std::optional<Error>> run_all(const std::vector<ArmAccess>& accesses,
                                          const std::vector<ArmConversation*>& conversations) {
  std::vector<Node> endpoints(conversations.size(), accesses.front().endpoint);
  std::vector<Conversation*> talks(conversations.begin(), conversations.end());
  FanOutOptions options = accesses.front().fan_out;
  options.concurrency = std::min(kArmConcurrency, conversations.size());
  auto run = fan_out(endpoints, talks, *accesses.front().tls, options);
  std::vector<std::optional<Error>> failures;
  for (const auto& o : run.nodes) {
    if (o.state == NodeState::kOk)
      failures.emplace_back();
    else
      failures.emplace_back(arm_error(accesses.front(), o));
  }
  return failures;
}

std::vector<FleetCluster> named_clusters(const ArmAccess& arm, const std::vector<ClusterRef>& refs) {
  std::vector<ArmAccess> accesses;
  for (const auto& ref : refs) accesses.push_back(arm.for_cluster(ref));
  std::vector<std::unique_ptr<ClusterDiscovery>> discoveries;
  std::vector<ArmConversation*> conversations;
  for (const auto& a : accesses) {
    discoveries.push_back(std::make_unique<ClusterDiscovery>(a, true));
    conversations.push_back(discoveries.back().get());
  }
  auto failures = run_all(accesses, conversations);
  std::vector<FleetCluster> out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    FleetCluster c{refs[i].name, refs[i].path(), refs[i].subscription, refs[i].resource_group,
                   {},           failures[i]};
    if (!c.failure) {
      c.id = discoveries[i]->cluster().id;
      c.machines = discoveries[i]->machines();
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
  std::vector<std::unique_ptr<SubscriptionMachines>> listings;
  std::vector<ArmConversation*> conversations;
  for (const auto& a : accesses) {
    listings.push_back(std::make_unique<SubscriptionMachines>(a));
    conversations.push_back(listings.back().get());
  }
  auto failures = run_all(accesses, conversations);
  std::vector<FleetCluster> failed;
  std::map<std::string, FleetCluster> by_id;  // lower-case id: ARM ids differ in case now and then
  for (std::size_t i = 0; i < subscriptions.size(); ++i) {
    if (failures[i]) {
      failed.push_back(
          FleetCluster{"", "/subscriptions/" + subscriptions[i], subscriptions[i], "", {}, failures[i]});
      continue;
    }
    for (const auto& m : listings[i]->machines()) {
      auto& c = by_id[lower(m.cluster_id)];
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
