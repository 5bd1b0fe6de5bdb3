// "Did you mean …?" for a mistyped command or flag, as kubectl and az say it: the closest known
// names by edit distance, from the same CLI11 command tree that parses (no second list).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace nexus_mde::plugin {

// Walking the command tree (shared with completion): a command's subcommands, and the option a
// flag spelling names on a path of commands (the command and the ones above it), or nullptr.
std::vector<const CLI::App*> subcommands_of(const CLI::App& app);
const CLI::Option* flag_named(const std::vector<const CLI::App*>& path, std::string_view name);
// Every long flag spelling ("--node") on a path of commands.
std::vector<std::string> flag_spellings(const std::vector<const CLI::App*>& path);

// Optimal string alignment distance (Levenshtein plus swapping two neighbours): "stauts" is 1
// from "status".
std::size_t edit_distance(std::string_view a, std::string_view b);

// The known names within reach of `typed` (at most a third of its length, and at least 1),
// closest first.
std::vector<std::string> closest_names(std::string_view typed, const std::vector<std::string>& known);

// After a parse error: the first word that names no command at its level, or the first flag no
// command knows, with suggestions. Empty when neither is found (the parser's own message stands).
std::string did_you_mean(const CLI::App& app, const std::vector<std::string>& args);

// A config file's key that names no option (CLI11 says "INI was not able to parse KEY"), with
// the closest option names; empty for any other message.
std::string unknown_config_key(const CLI::App& app, std::string_view parser_message);

}  // namespace nexus_mde::plugin
