// nexus-mde xdr capacity --tus T --incoming-bytes-per-second A --outgoing-bytes-per-second B
#include <iostream>

#include "plugin/cli.hpp"
#include "plugin/xdr/event_hub_sizing.hpp"
#include "plugin/xdr/sizing_printers.hpp"

namespace nexus_mde::plugin {

namespace {

struct CapacityFlags {
  std::string units;
  std::string incoming;
  std::string outgoing;
};

ExitCode run_capacity(const CapacityFlags& flags, OutputFormat format) {
  auto fail = [](const Error& e) {
    std::cerr << "nexus-mde xdr capacity: " << e.describe() << "\n";
    return ExitCode::kUsage;
  };
  constexpr std::uint64_t kMaxRate = 1ull << 50;
  auto units = parse_count_flag("--tus", flags.units, 1, 1'000'000);
  if (!units) return fail(units.error());
  auto incoming = parse_count_flag("--incoming-bytes-per-second", flags.incoming, 0, kMaxRate);
  if (!incoming) return fail(incoming.error());
  auto outgoing = parse_count_flag("--outgoing-bytes-per-second", flags.outgoing, 0, kMaxRate);
  if (!outgoing) return fail(outgoing.error());
  auto check = check_capacity(*units, *incoming, *outgoing);
  if (!check) return fail(check.error());
  print_capacity(*check, format, std::cout);
  return check->saturated() ? ExitCode::kFindings : ExitCode::kClean;
}

}  // namespace

void add_xdr_capacity_command(CLI::App& xdr, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = xdr.add_subcommand("capacity",
                                 "Whether an Event Hub's throughput units are saturated by measured traffic");
  auto flags = std::make_shared<CapacityFlags>();
  cmd->add_option("--tus", flags->units, "Throughput units of the namespace")->required()->type_name("T");
  cmd->add_option("--incoming-bytes-per-second", flags->incoming, "Measured ingress (bytes per second)")
      ->required()
      ->type_name("A");
  cmd->add_option("--outgoing-bytes-per-second", flags->outgoing, "Measured egress (bytes per second)")
      ->required()
      ->type_name("B");
  cmd->footer(
      "Saturated when ingress >= T x 1 MiB/s or egress >= T x 2 MiB/s. Exit codes: 0 not saturated; 1 "
      "saturated\n"
      "(says which limit and the units needed); 3 a bad number (named).");
  cmd->callback([flags, &globals, &outcome] { outcome.exit_code = run_capacity(*flags, globals.output); });
}

}  // namespace nexus_mde::plugin
