// nexus-mde xdr sizing --events-per-minute N [--endpoints M] [--headroom X] [--retention-days D]
#include <iostream>

#include "plugin/cli.hpp"
#include "plugin/xdr/event_hub_sizing.hpp"
#include "plugin/xdr/sizing_printers.hpp"

namespace nexus_mde::plugin {

namespace {

struct SizingFlags {
  std::string events_per_minute;
  std::string endpoints;
  double headroom = 2.0;
  std::string retention_days = "1";
  std::string output;  // this command's own -o: it also knows tfvars
};

ExitCode run_sizing(const SizingFlags& flags, OutputFormat global) {
  SizingInput in;
  auto fail = [](const Error& e) {
    std::cerr << "nexus-mde xdr sizing: " << e.describe() << "\n";
    return ExitCode::kUsage;
  };
  auto events = parse_count_flag("--events-per-minute", flags.events_per_minute, 1, 1'000'000'000'000ull);
  if (!events) return fail(events.error());
  in.events_per_minute = *events;
  if (!flags.endpoints.empty()) {
    auto endpoints = parse_count_flag("--endpoints", flags.endpoints, 1, 100'000'000);
    if (!endpoints) return fail(endpoints.error());
    in.endpoints = *endpoints;
  }
  auto retention = parse_count_flag("--retention-days", flags.retention_days, 1, 90);
  if (!retention) return fail(retention.error());
  in.retention_days = static_cast<unsigned>(*retention);
  in.headroom = flags.headroom;
  auto plan = size_event_hub(in);
  if (!plan) return fail(plan.error());
  if (flags.output == "tfvars")
    print_tfvars(*plan, std::cout);
  else
    print_sizing(in, *plan, flags.output.empty() ? global : output_format_names().at(flags.output),
                 std::cout);
  return ExitCode::kClean;
}

}  // namespace

void add_xdr_sizing_command(CLI::App& xdr, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = xdr.add_subcommand(
      "sizing", "Event Hub throughput units, tier, partitions and processing units for an event rate");
  auto flags = std::make_shared<SizingFlags>();
  cmd->add_option("--events-per-minute", flags->events_per_minute, "Defender XDR events per minute to stream")
      ->required()
      ->type_name("N");
  cmd->add_option("--endpoints", flags->endpoints,
                  "Endpoints streaming (50,000 or more needs a dedicated cluster)")
      ->type_name("M");
  cmd->add_option("--headroom", flags->headroom,
                  "Standard tier: auto-inflate cap as a multiple of the units (default 2)")
      ->type_name("X");
  cmd->add_option("--retention-days", flags->retention_days,
                  "Event retention in days (default 1; Standard allows 7)")
      ->type_name("D");
  cmd->add_option("-o,--output", flags->output, "table, json, yaml, tsv or tfvars (terraform.tfvars lines)")
      ->check(CLI::IsMember({"table", "json", "yaml", "tsv", "tfvars"}))
      ->type_name("FORMAT");
  cmd->footer(
      "Throughput units = partitions = ceil(N / 60 x 3 / 1024 + 1). Up to 32 units: Standard (auto-inflate "
      "to\n"
      "headroom x units, at most 40). Above 32 and under 50,000 endpoints: Premium (the fewest of 1, 2, 4, "
      "8, 16\n"
      "processing units carrying 5 units each; at most 100 partitions). 50,000 endpoints or more, or above "
      "80\n"
      "units: a dedicated cluster (at most 1024 partitions). Exit codes: 0 sized; 3 a bad number (named).");
  cmd->callback([flags, &globals, &outcome] { outcome.exit_code = run_sizing(*flags, globals.output); });
}

}  // namespace nexus_mde::plugin
