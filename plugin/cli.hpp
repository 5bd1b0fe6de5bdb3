// The options every command shares, and the entry point each subcommand file provides.
// One subcommand per file under commands/ (CLI11 style): each registers itself on the app and
// sets the exit code from its callback.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "plugin/arm/arm_access.hpp"
#include "plugin/exit_codes.hpp"
#include "plugin/fanout/agent_access.hpp"
#include "plugin/finding_options.hpp"
#include "plugin/inventory/inventory.hpp"
#include "plugin/output/format.hpp"
#include "plugin/run_cli.hpp"

namespace nexus_mde::plugin {

struct GlobalOptions {
  OutputFormat output = OutputFormat::kTable;
  InventoryOptions inventory;
  AgentAccessOptions access;
  ArmOptions arm;
  FindingOptions findings;
};

struct CommandOutcome {
  ExitCode exit_code = ExitCode::kClean;
};

void add_global_options(CLI::App& app, GlobalOptions& globals);

// One per file under commands/.
void add_nodes_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_status_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_scans_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_threats_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_scan_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_report_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_enforcement_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_enforcement_show_command(CLI::App& enforcement, const GlobalOptions& globals,
                                  CommandOutcome& outcome);
void add_enforcement_set_command(CLI::App& enforcement, const GlobalOptions& globals,
                                 CommandOutcome& outcome);
void add_test_detection_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_extract_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_xdr_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_xdr_sizing_command(CLI::App& xdr, const GlobalOptions& globals, CommandOutcome& outcome);
void add_xdr_capacity_command(CLI::App& xdr, const GlobalOptions& globals, CommandOutcome& outcome);
void add_targets_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome);
void add_completion_command(CLI::App& app, CommandOutcome& outcome);

// The default config file: $XDG_CONFIG_HOME/nexus-mde/config.toml, else ~/.config/nexus-mde/config.toml.
std::string default_config_file();

}  // namespace nexus_mde::plugin
