// nexus-mde completion bash|zsh|fish
#include <iostream>

#include "plugin/cli.hpp"
#include "plugin/completion.hpp"

namespace nexus_mde::plugin {

void add_completion_command(CLI::App& app, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand("completion", "Print the shell completion script (bash, zsh or fish)");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer(
      "bash:  source <(nexus-mde completion bash)      (or save it in /etc/bash_completion.d/nexus-mde)\n"
      "zsh:   source <(nexus-mde completion zsh)\n"
      "fish:  nexus-mde completion fish | source\n"
      "The script asks nexus-mde itself (`nexus-mde __complete …`), so it completes what this version "
      "knows:\n"
      "commands, flags, their values (-o, --type, LEVEL) and, with --inventory FILE, the nodes for --node.");
  cmd->callback([shell, &app, &outcome] {
    std::cout << completion_script(*shell,
                                   app.get_name() == "kubectl nexus-mde" ? "nexus-mde" : app.get_name());
    outcome.exit_code = ExitCode::kClean;
  });
}

}  // namespace nexus_mde::plugin
