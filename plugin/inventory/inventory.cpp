#include "plugin/inventory/inventory.hpp"

#include <cctype>
#include <charconv>
#include <set>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/sys/files.hpp"
#include "plugin/inventory/kubernetes_nodes.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

// Names end up in tables, journal fields and TLS name checks: printable, no spaces.
bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (unsigned char c : name) {
    if (c <= ' ' || c == 0x7f || c == '=' || c == ',') return false;
  }
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == ':' || c == '_' || c == '%')) return false;
  }
  return true;
}

Result<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return make_error("port must be a number from 1 to 65535, not \"" + std::string(text) + "\"");
  }
  return static_cast<std::uint16_t>(value);
}

Result<std::vector<Node>> check_unique(std::vector<Node> nodes) {
  std::set<std::string> seen;
  for (const auto& n : nodes) {
    if (!seen.insert(n.name).second) return make_error("node \"" + n.name + "\" is listed twice", n.source);
  }
  return nodes;
}

}  // namespace

std::vector<Target> targets_of(const std::vector<Node>& nodes) {
  std::vector<Target> targets;
  targets.reserve(nodes.size());
  for (const auto& n : nodes) targets.push_back(n.target());
  return targets;
}

Result<Node> parse_node_spec(std::string_view spec) {
  const std::string field = "--node " + std::string(spec);
  auto eq = spec.find('=');
  if (eq == std::string_view::npos) return make_error("expected NAME=HOST[:PORT]", field);
  Node n;
  n.name = std::string(spec.substr(0, eq));
  n.source = "--node " + n.name;
  std::string_view rest = spec.substr(eq + 1);
  if (!valid_name(n.name))
    return make_error("the node name must be non-empty, without spaces, '=' or ','", field);
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return make_error("unclosed '[' in the IPv6 address", field);
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return make_error("expected :PORT after the bracketed address", field);
      port = after.substr(1);
      if (port.empty()) return make_error("empty port after ':'", field);
    }
  } else if (auto colon = rest.find(':');
             colon != std::string_view::npos && rest.find(':', colon + 1) == std::string_view::npos) {
    host = rest.substr(0, colon);  // one colon: HOST:PORT (more than one: a bare IPv6 address)
    port = rest.substr(colon + 1);
    if (port.empty()) return make_error("empty port after ':'", field);
  }
  if (!valid_host(host)) return make_error("the host must be an IP address or a DNS name", field);
  n.host = std::string(host);
  if (!port.empty()) {
    auto p = parse_port(port);
    if (!p) return make_error(p.error().message, field);
    n.port = *p;
  }
  return n;
}

Result<std::vector<Node>> read_inventory_file(const std::string& path) {
  auto text = read_small_file(path, 64 << 20);  // 10,000 nodes take about 1 MB
  if (!text) return text.error();
  auto doc = parse_json_text(*text, path);
  if (!doc) return doc.error();
  const json::object* top = doc->if_object();
  const json::value* list = top ? top->if_contains("nodes") : nullptr;
  if (!list || !list->is_array())
    return make_error("expected {\"nodes\":[{\"name\":…,\"address\":…,\"port\":…}]}", path);
  std::vector<Node> nodes;
  const auto& entries = list->get_array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string where = path + ": nodes[" + std::to_string(i) + "]";
    const json::object* o = entries[i].if_object();
    if (!o) return make_error("expected an object with name, address and port", where);
    Node n;
    n.source = where;
    for (const auto& kv : *o) {
      const std::string key(kv.key());
      const std::string at = where + "." + key;
      if (key == "name") {
        if (!kv.value().is_string() || !valid_name(kv.value().get_string())) {
          return make_error("must be a non-empty name without spaces, '=' or ','", at);
        }
        n.name = std::string(kv.value().get_string());
      } else if (key == "address") {
        if (!kv.value().is_string() || !valid_host(kv.value().get_string())) {
          return make_error("must be an IP address or a DNS name", at);
        }
        n.host = std::string(kv.value().get_string());
      } else if (key == "port") {
        if (!kv.value().is_int64() || kv.value().get_int64() < 1 || kv.value().get_int64() > 65535) {
          return make_error("must be a number from 1 to 65535", at);
        }
        n.port = static_cast<std::uint16_t>(kv.value().get_int64());
      } else {
        return make_error("unknown field; an entry has name, address and port", at);
      }
    }
    if (n.name.empty()) return make_error("name is required", where);
    if (n.host.empty()) return make_error("address is required", where + " (" + n.name + ")");
    n.source = where + " (" + n.name + ")";
    nodes.push_back(std::move(n));
  }
  return nodes;
}

Result<std::vector<Node>> resolve_inventory(const InventoryOptions& options) {
  std::vector<Node> nodes;
  if (!options.node_specs.empty()) {
    for (const auto& spec : options.node_specs) {
      auto n = parse_node_spec(spec);
      if (!n) return n.error();
      nodes.push_back(std::move(*n));
    }
  } else if (!options.inventory_file.empty()) {
    auto read = read_inventory_file(options.inventory_file);
    if (!read) return read.error();
    nodes = std::move(*read);
    if (nodes.empty()) return make_error("the inventory lists no nodes", options.inventory_file);
  } else if (options.kubernetes.wanted()) {
    auto found = nodes_from_kubernetes(options.kubernetes);
    if (!found) return found.error();
    nodes = std::move(*found);
  } else {
    return make_error(
        "no nodes: give --node NAME=HOST[:PORT] (repeatable), --inventory FILE, or --cluster NAME -g RG");
  }
  return check_unique(std::move(nodes));
}

}  // namespace nexus_mde::plugin
