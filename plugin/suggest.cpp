#include "plugin/suggest.hpp"

#include <algorithm>

#include <CLI/CLI.hpp>

namespace nexus_mde::plugin {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::vector<std::string> closest_names(std::string_view typed, const std::vector<std::string>& known) {
  std::size_t reach = std::max<std::size_t>(1, typed.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> near;
  for (const auto& k : known) {
    if (std::size_t d = edit_distance(typed, k); d <= reach && k != typed) near.emplace_back(d, k);
  }
  std::sort(near.begin(), near.end());
  std::vector<std::string> out;
  for (auto& [d, k] : near) {
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(std::move(k));
  }
  return out;
}

std::vector<const CLI::App*> subcommands_of(const CLI::App& app) {
  auto subs = const_cast<CLI::App&>(app).get_subcommands([](CLI::App*) { return true; });
  return {subs.begin(), subs.end()};
}

const CLI::Option* flag_named(const std::vector<const CLI::App*>& path, std::string_view name) {
  for (const CLI::App* a : path) {
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) {
        if ("--" + l == name) return o;
      }
      for (const auto& s : o->get_snames()) {
        if ("-" + s == name) return o;
      }
    }
  }
  return nullptr;
}

std::vector<std::string> flag_spellings(const std::vector<const CLI::App*>& path) {
  std::vector<std::string> out;
  for (const CLI::App* a : path) {
    for (const CLI::Option* o : a->get_options()) {
      for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    }
  }
  return out;
}

namespace {

std::string suggestion(const std::string& what, const std::string& typed,
                       const std::vector<std::string>& near) {
  std::string out = "unknown " + what + " \"" + typed + "\"";
  if (near.empty()) return out;
  out += "\n\nDid you mean this?";
  for (const auto& n : near) out += "\n\t" + n;
  return out;
}

}  // namespace

std::string did_you_mean(const CLI::App& app, const std::vector<std::string>& args) {
  std::vector<const CLI::App*> path{&app};
  bool commands_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 1 && arg.front() == '-') {
      std::string name = arg.substr(0, arg.find('='));
      const CLI::Option* known = flag_named(path, name);
      if (!known) return suggestion("flag", name, closest_names(name, flag_spellings(path)));
      if (known->get_type_size() != 0 && arg.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    if (commands_done) continue;
    std::vector<std::string> names;
    const CLI::App* next = nullptr;
    for (const CLI::App* c : subcommands_of(*path.back())) {
      names.push_back(c->get_name());
      if (c->check_name(arg)) next = c;
    }
    if (next) {
      path.push_back(next);
    } else if (!names.empty() && path.back()->get_require_subcommand_min() > 0) {
      return suggestion("command", arg, closest_names(arg, names));
    } else {
      commands_done = true;  // a positional argument of the command (a level, a file)
    }
  }
  return {};
}

std::string unknown_config_key(const CLI::App& app, std::string_view parser_message) {
  constexpr std::string_view kPrefix = "INI was not able to parse ";
  if (!parser_message.starts_with(kPrefix)) return {};
  std::string key(parser_message.substr(kPrefix.size()));
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) {
      if (l != "config" && l != "help" && l != "version") names.push_back(l);
    }
  }
  std::string file;
  if (const CLI::Option* config = app.get_config_ptr(); config && config->count() > 0)
    file = config->as<std::string>();
  std::string out =
      "config file " + (file.empty() ? std::string() : file + ": ") + "unknown key \"" + key + "\"";
  auto near = closest_names(key, names);
  if (!near.empty()) out += "\n\nDid you mean this?";
  for (const auto& n : near) out += "\n\t" + n;
  return out;
}

}  // namespace nexus_mde::plugin
