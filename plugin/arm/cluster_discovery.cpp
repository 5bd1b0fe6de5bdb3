#include "plugin/arm/cluster_discovery.hpp"

#include <boost/json.hpp>

#include "common/sys/text.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

std::string text_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

ArmMachine read_machine(const json::object& m, const json::object& p) {
  ArmMachine machine;
  machine.id = text_of(m, "id");
  machine.name = text_of(p, "machineName");
  if (machine.name.empty()) machine.name = text_of(m, "name");
  machine.ipv4 = text_of(p, "oamIpv4Address");
  machine.ipv6 = text_of(p, "oamIpv6Address");
  machine.ready_state = text_of(p, "readyState");
  machine.power_state = text_of(p, "powerState");
  std::string rack_id = text_of(p, "rackId");
  machine.rack = rack_id.substr(rack_id.rfind('/') + 1);
  machine.cluster_id = text_of(p, "clusterId");
  if (auto* rps = p.if_contains("runtimeProtectionStatus"); rps && rps->is_object())
    machine.runtime_protection_status = rps->as_object();
  return machine;
}

}  // namespace

Next MachineListing::read_page(const json::value& body, const std::function<void(ArmMachine)>& keep) {
  const json::object* page = body.if_object();
  const json::value* value = page ? page->if_contains("value") : nullptr;
  if (!value || !value->is_array())
    return Next::fail({ExchangeState::kHttpError, "ARM's machine list has no value array"});
  for (const auto& item : value->as_array()) {
    const json::object* m = item.if_object();
    const json::value* props = m ? m->if_contains("properties") : nullptr;
    if (props && props->is_object()) keep(read_machine(*m, props->as_object()));
  }
  std::string next_link = page->contains("nextLink") && page->at("nextLink").is_string()
                              ? std::string(page->at("nextLink").as_string())
                              : "";
  if (next_link.empty()) return Next::done();
  auto request = follow(next_link);
  if (!request)
    return Next::fail(
        {ExchangeState::kHttpError, "ARM's nextLink points elsewhere: " + excerpt(next_link, 80)});
  return Next::ask(std::move(*request));
}

std::string ArmMachine::enforcement_level() const {
  return text_of(runtime_protection_status, "enforcementLevel");
}

std::optional<std::int64_t> ArmMachine::status_time_ms(const char* key) const {
  auto ms = parse_rfc3339(text_of(runtime_protection_status, key));
  return ms ? std::optional<std::int64_t>(*ms) : std::nullopt;
}

bool read_cluster(const json::value& body, ArmCluster& c) {
  const json::object* o = body.if_object();
  const json::value* props = o ? o->if_contains("properties") : nullptr;
  if (!props || !props->is_object()) return false;
  c.id = text_of(*o, "id");
  c.name = text_of(*o, "name");
  c.etag = text_of(*o, "etag");
  const auto& p = props->as_object();
  if (auto* mrg = p.if_contains("managedResourceGroupConfiguration"); mrg && mrg->is_object()) {
    c.managed_resource_group = text_of(mrg->as_object(), "name");
  }
  c.enforcement_level.reset();
  c.definition_update_mode.reset();
  if (auto* rpc = p.if_contains("runtimeProtectionConfiguration"); rpc && rpc->is_object()) {
    if (auto level = text_of(rpc->as_object(), "enforcementLevel"); !level.empty())
      c.enforcement_level = level;
    if (auto mode = text_of(rpc->as_object(), "definitionUpdateMode"); !mode.empty())
      c.definition_update_mode = mode;
  }
  return !c.id.empty();
}

Request ClusterDiscovery::begin() { return arm_request(HttpMethod::kGet, access_.cluster_path); }

Next ClusterDiscovery::on_answer(const Response& r) {
  json::value body = parse_body(r.body);
  if (!listing_) {
    if (!read_cluster(body, cluster_))
      return Next::fail({ExchangeState::kHttpError, "ARM's answer is not a cluster: " + excerpt(r.body, 80)});
    if (!with_machines_) return Next::done();
    if (cluster_.managed_resource_group.empty()) {
      return Next::fail({ExchangeState::kHttpError, "the cluster names no managed resource group"});
    }
    listing_ = true;
    return Next::ask(
        arm_request(HttpMethod::kGet, "/subscriptions/" + access_.subscription + "/resourceGroups/" +
                                          cluster_.managed_resource_group +
                                          "/providers/Microsoft.NetworkCloud/bareMetalMachines"));
  }
  return read_page(body, [&](ArmMachine machine) {
    if (!iequals(machine.cluster_id, cluster_.id)) {
      ++foreign_;
      return;
    }
    machines_.push_back(std::move(machine));
  });
}

Request SubscriptionMachines::begin() {
  return arm_request(HttpMethod::kGet, "/subscriptions/" + access_.subscription +
                                           "/providers/Microsoft.NetworkCloud/bareMetalMachines");
}

Next SubscriptionMachines::on_answer(const Response& r) {
  return read_page(parse_body(r.body), [&](ArmMachine machine) { machines_.push_back(std::move(machine)); });
}

Node node_of(const ArmMachine& m) {
  return Node{m.name, !m.ipv4.empty() ? m.ipv4 : m.ipv6, kDefaultAgentPort, "ARM bareMetalMachine " + m.name,
              m.cluster};
}

std::vector<Node> inventory_of(const std::vector<ArmMachine>& machines, std::size_t& unaddressed) {
  std::vector<Node> nodes;
  unaddressed = 0;
  for (const auto& m : machines) {
    Node node = node_of(m);
    if (node.host.empty() || node.name.empty()) {
      ++unaddressed;
      continue;
    }
    nodes.push_back(std::move(node));
  }
  return nodes;
}

namespace {

std::string machine_key(const std::string& cluster, const std::string& name) { return cluster + "/" + name; }

}  // namespace

MachineIndex::MachineIndex(const std::vector<ArmMachine>& machines) {
  for (const auto& m : machines) by_key_.emplace(machine_key(m.cluster, m.name), &m);
}

const ArmMachine* MachineIndex::of(const Node& node) const {
  auto it = by_key_.find(machine_key(node.cluster, node.name));
  return it == by_key_.end() ? nullptr : it->second;
}

}  // namespace nexus_mde::plugin
