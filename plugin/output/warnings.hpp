// Warnings for people, on stderr: "nexus-mde: warning: MESSAGE (r01, r02 … r16 (16 nodes))".
// Each message is said once per run, however many times a command collects (scan --wait polls).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nexus_mde::plugin {

void warn_once(const std::string& message, const std::vector<std::string>& nodes = {});

// Where warnings go (std::cerr unless a test redirects them), and forgetting what was said.
void set_warning_stream(std::ostream* out);
void forget_warnings();

}  // namespace nexus_mde::plugin
