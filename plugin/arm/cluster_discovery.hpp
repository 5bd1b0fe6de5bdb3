// The cluster as ARM describes it: GET the cluster (its ARM id, managed resource group,
// runtime-protection configuration and etag), then every bare-metal machine of the managed
// resource group, following nextLink, kept when its clusterId is this cluster's (ARM ids are
// compared case-insensitively). For a fleet: every bare-metal machine of a subscription
// (BareMetalMachines_ListBySubscription, paged), each with its clusterId.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "plugin/arm/arm_conversation.hpp"
#include "plugin/inventory/inventory.hpp"

namespace nexus_mde::plugin {

struct ArmCluster {
  std::string id;
  std::string name;
  std::string managed_resource_group;
  std::optional<std::string> enforcement_level;  // absent: never set, which means Disabled
  std::optional<std::string> definition_update_mode;
  std::string etag;
};

struct ArmMachine {
  std::string id;           // the resource's ARM id (its actions are POSTed under it)
  std::string name;         // machineName: the node's name
  std::string ipv4;         // oamIpv4Address
  std::string ipv6;         // oamIpv6Address
  std::string ready_state;  // True / False
  std::string power_state;  // On / Off
  std::string rack;         // the last segment of rackId (empty when ARM gives none)
  std::string cluster_id;   // clusterId, as ARM spells it
  std::string cluster;      // in a run over several clusters: the name its nodes are shown under
  boost::json::object runtime_protection_status;

  // From runtime_protection_status: the level the node applies (empty when not reported), and a
  // time such as "scanStartedTime" in epoch ms.
  std::string enforcement_level() const;
  std::optional<std::int64_t> status_time_ms(const char* key) const;
};

// An ARM conversation that reads pages of bare-metal machines.
class MachineListing : public ArmConversation {
 public:
  using ArmConversation::ArmConversation;

 protected:
  // Each machine of the page to `keep`; then the nextLink's request, or done.
  Next read_page(const boost::json::value& body, const std::function<void(ArmMachine)>& keep);
};

// Reads the cluster resource only, or the cluster and its machines.
class ClusterDiscovery final : public MachineListing {
 public:
  ClusterDiscovery(const ArmAccess& access, bool with_machines)
      : MachineListing(access), with_machines_(with_machines) {}

  const ArmCluster& cluster() const { return cluster_; }
  const std::vector<ArmMachine>& machines() const { return machines_; }
  std::size_t foreign_machines() const { return foreign_; }  // in the resource group, of another cluster

 protected:
  Request begin() override;
  Next on_answer(const Response& response) override;

 private:
  bool with_machines_;
  bool listing_ = false;
  ArmCluster cluster_;
  std::vector<ArmMachine> machines_;
  std::size_t foreign_ = 0;
};

// Every bare-metal machine of access.subscription, whatever its cluster.
class SubscriptionMachines final : public MachineListing {
 public:
  explicit SubscriptionMachines(const ArmAccess& access) : MachineListing(access) {}
  const std::vector<ArmMachine>& machines() const { return machines_; }

 protected:
  Request begin() override;
  Next on_answer(const Response& response) override;

 private:
  std::vector<ArmMachine> machines_;
};

// Reads a cluster resource's fields; false when the body is not a cluster.
bool read_cluster(const boost::json::value& body, ArmCluster& out);

// A machine as a node: its agent listens on the OAM address (IPv6 when only that exists).
Node node_of(const ArmMachine& machine);

// The machines as an inventory. Machines without a name or an address are left out and counted
// in `unaddressed`.
std::vector<Node> inventory_of(const std::vector<ArmMachine>& machines, std::size_t& unaddressed);

// Each node's machine. Names repeat across the clusters of a fleet, so a machine is found by its
// cluster and its name (both as the node carries them).
class MachineIndex {
 public:
  explicit MachineIndex(const std::vector<ArmMachine>& machines);
  const ArmMachine* of(const Node& node) const;  // null when none

 private:
  std::unordered_map<std::string, const ArmMachine*> by_key_;
};

}  // namespace nexus_mde::plugin
