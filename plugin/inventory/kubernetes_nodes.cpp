#include "plugin/inventory/kubernetes_nodes.hpp"

#include <cstdlib>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/sys/process.hpp"
#include "common/sys/text.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

std::string text_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string internal_ip(const json::object& node) {
  const json::value* status = node.if_contains("status");
  const json::value* addresses =
      status && status->is_object() ? status->get_object().if_contains("addresses") : nullptr;
  if (!addresses || !addresses->is_array()) return {};
  for (const auto& a : addresses->get_array()) {
    if (a.is_object() && text_at(a.get_object(), "type") == "InternalIP")
      return text_at(a.get_object(), "address");
  }
  return {};
}

}  // namespace

Result<std::vector<Node>> nodes_from_node_list(std::string_view body) {
  auto doc = parse_json_text(body, "kubectl get nodes -o json");
  if (!doc) return doc.error();
  const json::object* list = doc->if_object();
  const json::value* items = list ? list->if_contains("items") : nullptr;
  if (!items || !items->is_array())
    return make_error("expected a NodeList with \"items\"", "kubectl get nodes -o json");
  std::vector<Node> nodes;
  for (std::size_t i = 0; i < items->get_array().size(); ++i) {
    const json::object* node = items->get_array()[i].if_object();
    const json::value* meta = node ? node->if_contains("metadata") : nullptr;
    std::string name = meta && meta->is_object() ? text_at(meta->get_object(), "name") : std::string();
    std::string where = "items[" + std::to_string(i) + "]";
    if (name.empty()) return make_error("a node without metadata.name", where);
    std::string address = internal_ip(*node);
    if (address.empty()) return make_error("node " + name + " reports no InternalIP address", where);
    nodes.push_back(Node{name, address, kDefaultAgentPort, "Kubernetes node " + name, {}});
  }
  if (nodes.empty())
    return make_error("the Kubernetes API lists no nodes (check -l/--selector and --context)",
                      "kubectl get nodes");
  return nodes;
}

Result<std::vector<Node>> nodes_from_kubernetes(const KubernetesOptions& options) {
  std::vector<std::string> argv{"kubectl", "get", "nodes", "-o", "json", "--request-timeout=30s"};
  if (!options.kubeconfig.empty()) argv.insert(argv.end(), {"--kubeconfig", options.kubeconfig});
  if (!options.context.empty()) argv.insert(argv.end(), {"--context", options.context});
  if (!options.selector.empty()) argv.insert(argv.end(), {"--selector", options.selector});
  ProcessOptions o;
  o.timeout = std::chrono::seconds(60);
  // kubectl finds its config and credentials through these; nothing else is passed.
  for (const char* name : {"PATH", "HOME", "KUBECONFIG", "KUBECACHEDIR"}) {
    if (const char* v = std::getenv(name)) o.environment.push_back(std::string(name) + "=" + v);
  }
  auto run = run_process(argv, o);
  if (!run) return make_error("kubectl could not be run: " + run.error().describe(), "kubectl get nodes");
  if (!run->succeeded()) {
    std::string said(trim(run->err));
    return make_error("kubectl get nodes failed (" + run->describe() + ")" +
                          (said.empty() ? "" : ": " + excerpt(said, 300)),
                      "kubectl get nodes");
  }
  return nodes_from_node_list(run->out);
}

}  // namespace nexus_mde::plugin
