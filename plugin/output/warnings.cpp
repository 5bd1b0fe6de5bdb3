#include "plugin/output/warnings.hpp"

#include <iostream>
#include <mutex>
#include <set>

#include "common/sys/terminal_text.hpp"
#include "plugin/output/table.hpp"

namespace nexus_mde::plugin {

namespace {

std::mutex g_mutex;
std::set<std::string> g_said;
std::ostream* g_out = &std::cerr;

}  // namespace

void warn_once(const std::string& message, const std::vector<std::string>& nodes) {
  std::lock_guard lock(g_mutex);
  if (!g_said.insert(message).second) return;
  std::string where = nodes.empty() ? std::string() : " (" + folded_names(nodes) + ")";
  *g_out << "nexus-mde: warning: " << visible_text(message + where) << "\n";
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
