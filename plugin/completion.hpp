// Shell completion from the CLI11 command tree that parses (no second list to keep in sync), the
// way kubectl's cobra does it: the shell scripts call back `nexus-mde __complete WORDS… PARTIAL`,
// which prints the candidates one per line and then ":DIRECTIVE" (0: the shell may also complete
// file names; 4: it may not), cobra's own format, which kubectl's plugin completion reads too.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace nexus_mde::plugin {

// Candidates for the last of `words` (the word being typed, possibly empty): subcommands,
// flags (the command's and its parents'), a flag's or a positional's allowed values, and with
// --inventory FILE on the line, the inventory's NAME=HOST:PORT entries for --node.
void complete(const CLI::App& app, const std::vector<std::string>& words, std::ostream& out);

// The script for `nexus-mde completion SHELL` (bash, zsh or fish); empty for another shell.
std::string completion_script(std::string_view shell, std::string_view program);

}  // namespace nexus_mde::plugin
