#include "plugin/cli.hpp"

#include <filesystem>
#include <iostream>

namespace nexus_mde::plugin {

void add_global_options(CLI::App& app, GlobalOptions& globals) {
  app.add_option_function<std::string>(
         "-o,--output",
         [&globals](const std::string& name) {
           std::string lower;
           for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
           globals.output = output_format_names().at(lower);
         },
         "Output format: table (default), json, yaml or tsv")
      ->check(CLI::IsMember({"table", "json", "yaml", "tsv"}, CLI::ignore_case))
      ->envname("NEXUS_MDE_OUTPUT")
      ->type_name("FORMAT");
}

int run_cli(int argc, char** argv) {
  CLI::App app{"Microsoft Defender for Endpoint state across an Azure Operator Nexus cluster."};
  // The same binary runs as nexus-mde, kubectl-nexus_mde and under the az extension.
  std::string invoked = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "nexus-mde";
  app.name(invoked == "kubectl-nexus_mde" ? "kubectl nexus-mde" : "nexus-mde");
  app.set_version_flag("--version", std::string("nexus-mde ") + NEXUS_MDE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand

  GlobalOptions globals;
  CommandOutcome outcome;
  add_global_options(app, globals);
  add_report_command(app, globals, outcome);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << app.get_name() << ": " << e.what() << "\nRun '" << app.get_name() << " --help' for usage.\n";
    return to_int(ExitCode::kUsage);
  } catch (const std::exception& e) {
    std::cerr << app.get_name() << ": internal error: " << e.what() << "\n";
    return to_int(ExitCode::kUsage);
  }
  return to_int(outcome.exit_code);
}

}  // namespace nexus_mde::plugin
