#include "plugin/output/warnings.hpp"

#include <iostream>
#include <mutex>
#include <set>

#include "common/terminal_text.hpp"

namespace nexus_mde::plugin {

namespace {

std::mutex g_mutex;
std::set<std::string> g_said;
std::ostream* g_out = &std::cerr;

std::string node_list(const std::vector<std::string>& nodes) {
  if (nodes.empty()) return {};
  std::string out = nodes[0];
  if (nodes.size() <= 3) {
    for (std::size_t i = 1; i < nodes.size(); ++i) out += ", " + nodes[i];
  } else {
    out += ", " + nodes[1] + " … " + nodes.back() + " (" + std::to_string(nodes.size()) + " nodes)";
  }
  return " (" + out + ")";
}

}  // namespace

void warn_once(const std::string& message, const std::vector<std::string>& nodes) {
  std::lock_guard lock(g_mutex);
  if (!g_said.insert(message).second) return;
  *g_out << "nexus-mde: warning: " << visible_text(message + node_list(nodes)) << "\n";
}

void set_warning_stream(std::ostream* out) {
  std::lock_guard lock(g_mutex);
  g_out = out ? out : &std::cerr;
}

void forget_warnings() {
  std::lock_guard lock(g_mutex);
  g_said.clear();
}

}  // namespace nexus_mde::plugin
