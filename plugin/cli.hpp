// The options every command shares, and the entry point each subcommand file provides.
// One subcommand per file under commands/ (CLI11 style): each registers itself on the app and
// sets the exit code from its callback.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "plugin/exit_codes.hpp"
#include "plugin/output/format.hpp"

namespace nexus_mde::plugin {

struct GlobalOptions {
  OutputFormat output = OutputFormat::kTable;
};

struct CommandOutcome {
  ExitCode exit_code = ExitCode::kClean;
};

void add_global_options(CLI::App& app, GlobalOptions& globals);

// commands/report_command.cpp
void add_report_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);

// Runs the CLI; returns the process exit code. Parsing problems are usage errors (exit 3).
int run_cli(int argc, char** argv);

}  // namespace nexus_mde::plugin
