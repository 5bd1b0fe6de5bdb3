// nexus-mde report FILE...
#include <iostream>

#include "plugin/cli.hpp"
#include "plugin/report/report.hpp"

namespace nexus_mde::plugin {

void add_report_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = app.add_subcommand(
      "report",
      "Read downloaded mde-agent-information extracts (.json or the data extract's .tar.gz) and print each "
      "node's scans, threats and quarantine, with times in RFC 3339 UTC");
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "mde-agent-information.json files or .tar.gz data-extract archives")
      ->required()
      ->type_name("FILE");
  cmd->footer(
      "Exit codes: 0 clean; 1 findings (a threat, a quarantined item, a failed scan, unhealthy MDE);\n"
      "3 a file could not be read or parsed (the others still print). The node's name comes from the\n"
      "file name (rack1control01.mde-agent-information.json) or, for a bare mde-agent-information.json,\n"
      "its folder.");
  cmd->callback([files, &globals, &outcome] {
    outcome.exit_code = run_report(*files, globals.output, std::cout, std::cerr);
  });
}

}  // namespace nexus_mde::plugin
