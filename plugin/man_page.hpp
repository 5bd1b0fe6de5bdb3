// nexus-mde(1), written from the CLI11 command tree that parses, as completion is: every command,
// its options and footer, the global options by group, and each option's environment variable.
// The build runs `nexus-mde __man` to write it; `mandoc -T lint` checks it in the man test.
#pragma once

#include <ostream>
#include <string_view>

namespace CLI {
class App;
}

namespace nexus_mde::plugin {

void write_man_page(const CLI::App& app, std::string_view version, std::ostream& out);

}  // namespace nexus_mde::plugin
