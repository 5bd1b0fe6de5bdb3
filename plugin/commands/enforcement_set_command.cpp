// nexus-mde enforcement set LEVEL [--definition-update-mode Automatic|None]
#include <iostream>

#include <boost/json.hpp>

#include "common/enforcement.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/enforcement_update.hpp"
#include "plugin/cli.hpp"
#include "plugin/output/document_writer.hpp"

namespace nexus_mde::plugin {

namespace {

namespace json = boost::json;

struct SetFlags {
  std::string level;
  std::string definition_update_mode;
};

json::value cluster_json(const ArmCluster& c) {
  return json::object{{"enforcementLevel", c.enforcement_level ? json::value(*c.enforcement_level) : json::value(nullptr)},
                      {"definitionUpdateMode", c.definition_update_mode ? json::value(*c.definition_update_mode) : json::value(nullptr)},
                      {"etag", c.etag}};
}

ExitCode run_set(const GlobalOptions& globals, const SetFlags& flags) {
  auto level = parse_enforcement_level(flags.level);
  if (!level) {
    std::cerr << "nexus-mde enforcement set: LEVEL: " << level.error().message << "\n";
    return ExitCode::kUsage;
  }
  if (!globals.arm.wanted()) {
    std::cerr << "nexus-mde enforcement set: --cluster NAME -g RG is required (the level lives in ARM)\n";
    return ExitCode::kUsage;
  }
  double timeout = globals.access.timeout_seconds;
  double deadline = globals.access.deadline_seconds > 0 ? globals.access.deadline_seconds : 600;
  auto arm = open_arm_access(globals.arm, std::chrono::milliseconds(static_cast<std::int64_t>(timeout * 1000)),
                             std::chrono::milliseconds(static_cast<std::int64_t>(deadline * 1000)));
  if (!arm) {
    std::cerr << "nexus-mde enforcement set: " << arm.error().describe() << "\n";
    return ExitCode::kUsage;
  }
  std::optional<std::string> mode;
  if (!flags.definition_update_mode.empty()) mode = flags.definition_update_mode;
  EnforcementUpdate update(*arm, std::string(to_string(*level)), mode);
  auto ran = run_arm(*arm, update);
  if (!ran) {
    std::cerr << "nexus-mde enforcement set: " << ran.error().describe() << "\n";
    return arm_failure_exit_code(ran.error());
  }
  const auto& before = update.before();
  const auto& after = update.after();
  if (globals.output == OutputFormat::kJson || globals.output == OutputFormat::kYaml) {
    auto writer = make_document_writer(globals.output, std::cout);
    writer->value(json::object{{"cluster", after.id},
                               {"before", cluster_json(before)},
                               {"after", cluster_json(after)},
                               {"operationStatus", update.operation_status()},
                               {"apiVersion", update.api_version()}});
    writer->finish();
  } else {
    std::cout << "Cluster " << after.name << ": enforcement level " << before.enforcement_level.value_or("Disabled (never set)")
              << " -> " << after.enforcement_level.value_or("-") << ", definition updates "
              << after.definition_update_mode.value_or("-") << " (" << update.operation_status() << ")\n";
  }
  return after.enforcement_level == std::string(to_string(*level)) ? ExitCode::kClean : ExitCode::kIncomplete;
}

}  // namespace

void add_enforcement_set_command(CLI::App& enforcement, const GlobalOptions& globals, CommandOutcome& outcome) {
  auto* cmd = enforcement.add_subcommand("set", "Change the cluster's enforcement level (PATCH through ARM, followed to its end)");
  auto flags = std::make_shared<SetFlags>();
  cmd->add_option("level", flags->level, "Audit, Disabled, OnDemand, Passive or RealTime (any case)")->required()->type_name("LEVEL");
  cmd->add_option("--definition-update-mode", flags->definition_update_mode, "Automatic or None (default: keep the cluster's)")
      ->check(CLI::IsMember({"Automatic", "None"}));
  cmd->footer(
      "A read-modify-write: the cluster is read, both fields are sent (the one not given kept as it was) with\n"
      "If-Match on the etag, and the operation is followed to its end (default --deadline 600 s). Disabled also\n"
      "stops the MDE service on every node. Exit codes: 0 the cluster is at LEVEL; 2 the update failed or ARM\n"
      "could not be reached; 3 usage or configuration error (level, flags, token); 4 deadline.");
  cmd->callback([flags, &globals, &outcome] { outcome.exit_code = run_set(globals, *flags); });
}

}  // namespace nexus_mde::plugin
