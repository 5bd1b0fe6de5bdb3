#include "plugin/man_page.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace nexus_mde::plugin {

namespace {

// Text as roff reads it: backslashes escaped, dashes as minus signs (so they can be searched and
// copied), and no line that starts with a control character.
// Characters outside ASCII become \[uXXXX], which every roff reads whatever its input encoding.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      std::size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
      std::uint32_t code = c & (0x3F >> extra);
      for (std::size_t k = 0; k < extra && i + 1 < text.size(); ++k)
        code = (code << 6) | (static_cast<unsigned char>(text[++i]) & 0x3F);
      char hex[16];
      std::snprintf(hex, sizeof hex, "\\[u%04X]", static_cast<unsigned>(code));
      out += hex;
    }
  }
  return out;
}

// The page's date: SOURCE_DATE_EPOCH when the build sets it (reproducible builds), else today.
std::string page_date() {
  std::time_t t = std::time(nullptr);
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch)
    t = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return date;
}

// A paragraph of help text, its lines kept (the help's own line breaks), blank lines dropped.
void paragraph(std::string_view text, std::ostream& out) {
  std::string line;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      std::size_t start = line.find_first_not_of(' ');
      if (start != std::string::npos) out << roff(line.substr(start)) << "\n";
      line.clear();
    } else {
      line += text[i];
    }
  }
}

void option_entry(const CLI::Option* o, std::ostream& out) {
  out << ".TP\n.B " << roff(o->get_name(false, true));
  std::string type = o->get_type_name();
  if (o->get_type_size() != 0 && !type.empty()) out << " \" " << roff(type) << "\"";
  out << "\n";
  paragraph(o->get_description(), out);
  if (!o->get_envname().empty()) out << ".br\nAlso $" << roff(o->get_envname()) << ".\n";
}

void command_section(const CLI::App& cmd, const std::string& path, std::ostream& out) {
  auto subcommands = cmd.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
  if (subcommands.empty() ||
      !cmd.get_options([](const CLI::Option* o) { return o->get_name() != "--help"; }).empty()) {
    out << ".SS \"" << roff(path) << "\"\n";
    paragraph(cmd.get_description(), out);
    for (const CLI::Option* o : cmd.get_options()) {
      if (o->get_name() != "--help") option_entry(o, out);
    }
    if (!cmd.get_footer().empty()) {
      out << ".PP\n";
      paragraph(cmd.get_footer(), out);
    }
  }
  for (const CLI::App* s : subcommands) command_section(*s, path + " " + s->get_name(), out);
}

constexpr const char* kExitStatus = R"(.SH EXIT STATUS
.TP
.B 0
Every node answered (every file was read) and is clean.
.TP
.B 1
Findings: threats, unhealthy or stale MDE, enforcement drift, a failed scan.
.TP
.B 2
Some node did not answer, and none has findings.
.TP
.B 3
A usage or configuration error, or input that cannot be read.
.TP
.B 4
The deadline passed while waiting.
)";

constexpr const char* kFiles = R"(.SH FILES
.TP
.I ~/.config/nexus\-mde/config.toml
The config file (or $XDG_CONFIG_HOME/nexus\-mde/config.toml, $NEXUS_MDE_CONFIG, \-\-config).
Its keys are the long option names.
A flag wins over the environment, which wins over the file.
.SH SEE ALSO
.BR nexus\-mde\-agent (8),
.BR nexus\-mde\-agent.json (5),
.BR kubectl (1),
.BR az (1)
)";

}  // namespace

void write_man_page(const CLI::App& app, std::string_view version, std::ostream& out) {
  out << ".TH NEXUS\\-MDE 1 " << page_date() << " \"nexus\\-mde " << roff(version) << "\" \"User Commands\"\n"
      << ".SH NAME\nnexus\\-mde \\- " << roff(app.get_description()) << "\n"
      << ".SH SYNOPSIS\n.B nexus\\-mde\n.I command\n.RI [ options ]\n.br\n"
      << ".B kubectl nexus\\-mde\n.I command\n.RI [ options ]\n.br\n"
      << ".B az nexus\\-mde\n.I command\n.RI [ options ]\n"
      << ".SH DESCRIPTION\n"
      << "Asks the nexus\\-mde agent on every node of a cluster, in parallel, for Microsoft Defender for\n"
      << "Endpoint's state, and shows it as one table or document.\n"
      << "The nodes come from \\-\\-node, an inventory, the Kubernetes API, or the cluster's bare\\-metal\n"
      << "machines in Azure Resource Manager.\n"
      << "Only the result goes to standard output; progress and errors go to standard error.\n"
      << ".SH COMMANDS\n";
  for (const CLI::App* s : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    command_section(*s, "nexus-mde " + s->get_name(), out);
  }
  out << ".SH GLOBAL OPTIONS\nEvery command takes these, before or after its name.\n";
  std::vector<const CLI::Option*> with_env;
  for (const std::string& group : app.get_groups()) {
    if (group.empty()) continue;
    auto options = app.get_options([&group](const CLI::Option* o) { return o->get_group() == group; });
    if (options.empty()) continue;
    out << ".SS " << roff(group == "Options" ? "General" : group) << "\n";
    for (const CLI::Option* o : options) {
      option_entry(o, out);
      if (!o->get_envname().empty()) with_env.push_back(o);
    }
  }
  out << ".SH ENVIRONMENT\n";
  for (const CLI::Option* o : with_env) {
    out << ".TP\n.B " << roff(o->get_envname()) << "\nAs " << roff(o->get_name(false, true)) << ".\n";
  }
  out << ".TP\n.B AZURE_SUBSCRIPTION_ID\nAs \\-\\-subscription, when NEXUS_MDE_SUBSCRIPTION is not set.\n"
      << ".TP\n.B NEXUS_MDE_ARM_TOKEN\nThe ARM bearer token (else AZURE_ACCESS_TOKEN, else az account "
         "get\\-access\\-token).\n"
      << ".TP\n.B NO_COLOR\nWhen set and not empty, no colour (as \\-\\-no\\-color).\n"
      << kExitStatus << kFiles;
}

}  // namespace nexus_mde::plugin
