// nexus-mde enforcement: the cluster's runtime-protection enforcement level, through ARM.
#include "plugin/cli.hpp"

namespace nexus_mde::plugin {

void add_enforcement_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* enforcement = app.add_subcommand(
      "enforcement", "The cluster's MDE enforcement level (ARM runtimeProtectionConfiguration)");
  enforcement->require_subcommand(1);
  add_enforcement_show_command(*enforcement, globals, outcome);
  add_enforcement_set_command(*enforcement, globals, outcome);
}

}  // namespace nexus_mde::plugin
