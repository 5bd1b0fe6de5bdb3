// nexus-mde enforcement set LEVEL [--definition-update-mode Automatic|None]
#include <algorithm>
#include <iostream>

#include <boost/json.hpp>

#include "common/model/enforcement.hpp"
#include "plugin/arm/arm_run.hpp"
#include "plugin/arm/cluster_discovery.hpp"
#include "plugin/arm/enforcement_update.hpp"
#include "plugin/arm/machine_poll.hpp"
#include "plugin/cli.hpp"
#include "plugin/cluster/cluster_setup.hpp"
#include "plugin/output/printout.hpp"

namespace nexus_mde::plugin {

namespace {

namespace json = boost::json;

struct SetFlags {
  std::string level;
  std::string definition_update_mode;
  std::string if_match;
  bool wait = false;
};

// The machines reporting another level than `level` (ARM's runtimeProtectionStatus.enforcementLevel).
std::vector<std::string> laggards(const std::vector<ArmMachine>& machines, const std::string& level) {
  std::vector<std::string> out;
  for (const auto& m : machines) {
    if (!m.enforcement_level().empty() && m.enforcement_level() != level) out.push_back(m.name);
  }
  return out;
}

// The machines reporting no level at all: before api-version 2026-01-01-preview ARM has none.
std::vector<std::string> silent_machines(const std::vector<ArmMachine>& machines) {
  std::vector<std::string> out;
  for (const auto& m : machines) {
    if (m.enforcement_level().empty()) out.push_back(m.name);
  }
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

json::value cluster_json(const ArmCluster& c) {
  return json::object{
      {"enforcementLevel", c.enforcement_level ? json::value(*c.enforcement_level) : json::value(nullptr)},
      {"definitionUpdateMode",
       c.definition_update_mode ? json::value(*c.definition_update_mode) : json::value(nullptr)},
      {"etag", c.etag}};
}

ExitCode run_set(const GlobalOptions& globals, const SetFlags& flags) {
  auto level = parse_enforcement_level(flags.level);
  if (!level) {
    std::cerr << "nexus-mde enforcement set: LEVEL: " << level.error().message << "\n";
    return ExitCode::kUsage;
  }
  auto arm = prepare_arm_or_explain(globals, std::chrono::seconds(600), "enforcement set", std::cerr);
  if (!arm) return ExitCode::kUsage;
  std::optional<std::string> mode;
  if (!flags.definition_update_mode.empty()) mode = flags.definition_update_mode;
  auto give_up_at = std::chrono::steady_clock::now() + arm->fan_out.deadline;
  EnforcementUpdate update(*arm, std::string(to_string(*level)), mode, flags.if_match);
  auto ran = run_arm(*arm, update);
  if (!ran) {
    std::cerr << "nexus-mde enforcement set: " << ran.error().describe() << "\n";
    return arm_failure_exit_code(ran.error());
  }
  const auto& before = update.before();
  const auto& after = update.after();
  Printout printout("EnforcementChange");
  // armApiVersion: the Microsoft.NetworkCloud api-version that made the change (apiVersion is the
  // document's).
  printout.set_document(json::object{{"cluster", after.id},
                                     {"before", cluster_json(before)},
                                     {"after", cluster_json(after)},
                                     {"operationStatus", update.operation_status()},
                                     {"armApiVersion", update.api_version()}});
  printout.add_text("Cluster " + after.name + ": enforcement level " +
                        before.enforcement_level.value_or("Disabled (never set)") + " -> " +
                        after.enforcement_level.value_or("-") + ", definition updates " +
                        after.definition_update_mode.value_or("-") + " (" + update.operation_status() + ")\n",
                    Audience::kBoth);
  printout.print(globals.output, std::cout);
  if (after.enforcement_level != std::string(to_string(*level))) return ExitCode::kIncomplete;
  if (!flags.wait) return ExitCode::kClean;
  const std::string wanted(to_string(*level));
  auto machines = poll_machines(
      *arm, give_up_at, true, [&](const std::vector<ArmMachine>& ms) { return laggards(ms, wanted).size(); },
      "report " + wanted, std::cerr);
  if (!machines) {
    std::cerr << "nexus-mde enforcement set: " << machines.error().describe() << "\n";
    return arm_failure_exit_code(machines.error());
  }
  auto lagging = laggards(*machines, wanted);
  if (!lagging.empty()) {
    std::cerr << "nexus-mde enforcement set: the deadline passed with " << lagging.size()
              << " node(s) not reporting " << to_string(*level) << ": " << joined(lagging) << "\n";
    return ExitCode::kDeadline;
  }
  if (auto silent = silent_machines(*machines); !silent.empty()) {
    std::cerr << "nexus-mde enforcement set: " << silent.size()
              << " node(s) report no enforcement level at api-version " << update.api_version() << " ("
              << joined(silent) << "): not confirmed; `enforcement show` with agent "
              << "credentials reads each node's level from its agent\n";
    return ExitCode::kIncomplete;
  }
  std::cerr << "nexus-mde: every node reports " << to_string(*level) << "\n";
  return ExitCode::kClean;
}

}  // namespace

void add_enforcement_set_command(CLI::App& enforcement, const GlobalOptions& globals,
                                 CommandOutcome& outcome) {
  auto* cmd = enforcement.add_subcommand(
      "set", "Change the cluster's enforcement level (PATCH through ARM, followed to its end)");
  auto flags = std::make_shared<SetFlags>();
  cmd->add_option("level", flags->level, "Audit, Disabled, OnDemand, Passive or RealTime (any case)")
      ->required()
      ->type_name("{Audit,Disabled,OnDemand,Passive,RealTime}");
  cmd->add_option("--definition-update-mode", flags->definition_update_mode,
                  "Automatic or None (default: keep the cluster's)")
      ->check(CLI::IsMember({"Automatic", "None"}));
  cmd->add_flag("--wait", flags->wait, "Then wait until every node reports LEVEL (bounded by --deadline)");
  cmd->add_option("--if-match", flags->if_match,
                  "Change it only if the cluster's etag is still this one (from enforcement show -o json); "
                  "default: the "
                  "etag read just before")
      ->type_name("ETAG");
  cmd->footer(
      "A read-modify-write: the cluster is read, both fields are sent (the one not given kept as it was) "
      "with\n"
      "If-Match on the etag, and the operation is followed to its end (default --deadline 600 s). Disabled "
      "also\n"
      "stops the MDE service on every node. Exit codes: 0 the cluster is at LEVEL; 2 the update failed or "
      "ARM\n"
      "could not be reached, or (with --wait) some node reports no level at all, as before api-version\n"
      "2026-01-01-preview; 3 usage or configuration error (level, flags, token); 4 the deadline passed "
      "(with\n"
      "--wait: before every node reported LEVEL; the laggards are named).");
  cmd->callback([flags, &globals, &outcome] { outcome.exit_code = run_set(globals, *flags); });
}

}  // namespace nexus_mde::plugin
