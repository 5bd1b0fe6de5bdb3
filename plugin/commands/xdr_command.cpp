// nexus-mde xdr: sizing and checking the Event Hub that streams Defender XDR events to a SIEM.
#include "plugin/cli.hpp"

namespace nexus_mde::plugin {

void add_xdr_command(CLI::App& app, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* xdr =
      app.add_subcommand("xdr", "Size and check the Event Hub that streams Defender XDR events to a SIEM");
  xdr->require_subcommand(1);
  add_xdr_sizing_command(*xdr, globals, outcome);
  add_xdr_capacity_command(*xdr, globals, outcome);
}

}  // namespace nexus_mde::plugin
