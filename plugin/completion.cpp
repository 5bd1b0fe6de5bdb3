#include "plugin/completion.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

#include "plugin/inventory/inventory.hpp"
#include "plugin/suggest.hpp"

namespace nexus_mde::plugin {

namespace {

constexpr int kDefault = 0;     // cobra's ShellCompDirectiveDefault: file names too
constexpr int kNoFileComp = 4;  // cobra's ShellCompDirectiveNoFileComp

// An IsMember check's values, from its description "{a,b,c}"; or from a type name so spelled.
std::vector<std::string> allowed_values(const CLI::Option& option) {
  std::string spelled = option.get_type_name();
  auto& mutable_option = const_cast<CLI::Option&>(option);
  for (int i = 0;; ++i) {
    try {
      std::string d = mutable_option.get_validator(i)->get_description();
      if (!d.empty() && d.front() == '{') {
        spelled = d;
        break;
      }
    } catch (const CLI::OptionNotFound&) {
      break;
    }
  }
  auto open = spelled.find('{'), close = spelled.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string list = spelled.substr(open + 1, close - open - 1);
  for (std::size_t at = 0; at <= list.size();) {
    auto comma = list.find(',', at);
    std::string v = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!v.empty()) out.push_back(v);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

bool takes_file(const CLI::Option& option) {
  std::string t = option.get_type_name();
  return t.find("FILE") != std::string::npos || t.find("PEM") != std::string::npos;
}

void print(std::ostream& out, const std::vector<std::string>& candidates, std::string_view prefix,
           int directive) {
  for (const auto& c : candidates) {
    if (c.rfind(prefix, 0) == 0) out << c << "\n";
  }
  out << ":" << directive << "\n";
}

}  // namespace

void complete(const CLI::App& app, const std::vector<std::string>& words, std::ostream& out) {
  std::vector<const CLI::App*> path{&app};
  std::string inventory;
  const CLI::Option* pending = nullptr;  // a flag whose value is the next word
  std::size_t positionals = 0;
  std::string partial = words.empty() ? std::string() : words.back();
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (pending) {
      if (pending->check_lname("inventory")) inventory = w;
      pending = nullptr;
      continue;
    }
    if (w.size() > 1 && w.front() == '-') {
      const CLI::Option* o = flag_named(path, w.substr(0, w.find('=')));
      if (o && o->get_type_size() != 0 && w.find('=') == std::string::npos) pending = o;
      continue;
    }
    const CLI::App* next = nullptr;
    for (const CLI::App* c : subcommands_of(*path.back())) {
      if (c->check_name(w)) next = c;
    }
    if (next)
      path.push_back(next);
    else
      ++positionals;
  }
  if (pending) {
    if (pending->check_lname("node") && !inventory.empty()) {
      std::vector<std::string> entries;
      if (auto nodes = read_inventory_file(inventory)) {
        for (const auto& n : *nodes) entries.push_back(n.name + "=" + n.endpoint());
      }
      return print(out, entries, partial, kNoFileComp);
    }
    auto values = allowed_values(*pending);
    return print(out, values, partial, values.empty() && takes_file(*pending) ? kDefault : kNoFileComp);
  }
  if (!partial.empty() && partial.front() == '-') {
    std::vector<std::string> flags = flag_spellings(path);
    std::sort(flags.begin(), flags.end());
    return print(out, flags, partial, kNoFileComp);
  }
  std::vector<std::string> names;
  for (const CLI::App* c : subcommands_of(*path.back())) {
    if (!c->get_name().empty() && c->get_name().front() != '_') names.push_back(c->get_name());
  }
  if (names.empty()) {
    // A positional argument: its allowed values, or a file.
    std::vector<const CLI::Option*> positional;
    for (const CLI::Option* o : path.back()->get_options()) {
      if (o->get_lnames().empty() && o->get_snames().empty()) positional.push_back(o);
    }
    if (positionals < positional.size()) {
      auto values = allowed_values(*positional[positionals]);
      return print(out, values, partial, values.empty() ? kDefault : kNoFileComp);
    }
    return print(out, {}, partial, kDefault);
  }
  std::sort(names.begin(), names.end());
  print(out, names, partial, kNoFileComp);
}

std::string completion_script(std::string_view shell, std::string_view program) {
  std::string p(program);
  std::string fn = "_nexus_mde_complete";
  if (shell == "bash" || shell == "zsh") {
    std::string script;
    if (shell == "zsh") script += "autoload -U +X bashcompinit && bashcompinit\n";
    script +=
        "# " + p + " completion for " + std::string(shell) + ": source <(" + p + " completion " +
        std::string(shell) + ")\n" + fn +
        "() {\n"
        "  local cur=${COMP_WORDS[COMP_CWORD]} out directive line\n"
        "  local -a candidates=()\n"
        "  out=$(\"${COMP_WORDS[0]}\" __complete \"${COMP_WORDS[@]:1:COMP_CWORD}\" 2>/dev/null) || return\n"
        "  while IFS= read -r line; do\n"
        "    case $line in :*) directive=${line#:} ;; *) candidates+=(\"$line\") ;; esac\n"
        "  done <<< \"$out\"\n"
        "  COMPREPLY=(\"${candidates[@]}\")\n"
        "  if [ ${#COMPREPLY[@]} -eq 0 ] && [ \"${directive:-0}\" = 0 ]; then COMPREPLY=($(compgen -f -- "
        "\"$cur\")); fi\n"
        "}\n"
        "complete -F " +
        fn + " " + p + "\n";
    return script;
  }
  if (shell == "fish") {
    return "# " + p + " completion for fish: " + p +
           " completion fish | source\n"
           "complete -c " +
           p + " -f -a '(" + p +
           " __complete (commandline -opc)[2..-1] (commandline -ct) | string match -v -r \"^:\")'\n";
  }
  return {};
}

}  // namespace nexus_mde::plugin
