// The CLI's entry point, apart from cli.hpp so that main.cpp does not compile CLI11.
#pragma once

namespace nexus_mde::plugin {

// Runs the CLI; returns the process exit code. Parsing problems are usage errors (exit 3).
int run_cli(int argc, char** argv);

}  // namespace nexus_mde::plugin
