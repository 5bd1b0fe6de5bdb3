#include "agent/mdatp/collector.hpp"

#include <optional>

#include "common/mdatp/mdatp_parsers.hpp"
#include "common/sys/process.hpp"
#include "common/sys/time.hpp"

namespace nexus_mde::agent {

namespace {

struct CommandRun {
  std::optional<std::string> output;  // stdout, when the command succeeded
  bool daemon_unreachable = false;    // it ran to completion and exited non-zero
};

// "health", "scan list", "threat quarantine list": the words before the first flag.
std::string command_name(const std::vector<std::string>& args) {
  std::string name;
  for (const auto& a : args) {
    if (a.starts_with("-")) break;
    if (!name.empty()) name += ' ';
    name += a;
  }
  return name;
}

std::string command_line(const std::vector<std::string>& args) {
  std::string line = "mdatp";
  for (const auto& a : args) line += " " + a;
  return line;
}

CommandRun run(const CollectorOptions& o, const std::vector<std::string>& args, const char* source,
               NodeSnapshot& snap) {
  std::vector<std::string> argv{o.mdatp_path};
  argv.insert(argv.end(), args.begin(), args.end());
  auto started = std::chrono::steady_clock::now();
  auto r = run_process(argv, mdatp_process_options(o.timeout, o.output_cap, o.cancel));
  if (o.on_call) {
    o.on_call(
        {command_name(args), std::string(mdatp_call_outcome(r)),
         std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)});
  }
  if (!r) {
    snap.errors.push_back({source, command_line(args) + ": " + r.error().describe()});
    return {};
  }
  if (!r->succeeded()) {
    snap.errors.push_back({source, command_line(args) + ": " + r->describe()});
    CommandRun failed;
    failed.daemon_unreachable = !r->timed_out && !r->output_capped && !r->cancelled && r->signal == 0;
    return failed;
  }
  return {std::move(r->out), false};
}

template <typename T>
std::optional<T> parsed(Result<T>&& r, const std::vector<std::string>& args, const char* source,
                        NodeSnapshot& snap, std::vector<std::string>* warnings = nullptr) {
  if (warnings) {
    for (auto& w : *warnings) snap.warnings.push_back({source, command_line(args) + ": " + std::move(w)});
  }
  if (r) return std::move(*r);
  snap.errors.push_back({source, command_line(args) + ": unexpected output: " + r.error().describe()});
  return std::nullopt;
}

}  // namespace

ProcessOptions mdatp_process_options(std::chrono::milliseconds timeout, std::size_t output_cap,
                                     const std::atomic<bool>* cancel) {
  ProcessOptions p;
  p.timeout = timeout;
  p.output_cap = output_cap;
  p.environment = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"};
  p.cancel = cancel;
  return p;
}

std::string_view mdatp_call_outcome(const Result<ProcessResult>& run) {
  if (!run) return "start-error";
  if (run->cancelled) return "cancelled";
  if (run->timed_out) return "timeout";
  if (run->output_capped) return "output-cap";
  if (run->signal != 0) return "signal";
  if (run->exit_code != 0) return "exit-error";
  return "ok";
}

bool collection_failed(const NodeSnapshot& snapshot) {
  return !snapshot.health && snapshot.enforcement.level != EnforcementLevel::Disabled;
}

namespace {

// `mdatp health --output json`; where that exits non-zero, the forms older clients answer: the
// text `mdatp health`, then the 2020-era `mdatp --health`. A stopped daemon fails all three, and
// then only the first failure is reported.
CommandRun run_health(const CollectorOptions& o, NodeSnapshot& snap, std::vector<std::string>& used) {
  static const std::vector<std::vector<std::string>> kForms{
      {"health", "--output", "json"}, {"health"}, {"--health"}};
  NodeSnapshot first_failure;
  CommandRun health;
  for (const auto& form : kForms) {
    NodeSnapshot attempt;
    health = run(o, form, "health", attempt);
    used = form;
    if (&form == &kForms.front()) first_failure = attempt;
    if (!health.daemon_unreachable) {
      if (!health.output) first_failure = std::move(attempt);
      break;
    }
  }
  if (!health.output) {
    snap.errors.insert(snap.errors.end(), first_failure.errors.begin(), first_failure.errors.end());
    used = kForms.front();
  }
  return health;
}

}  // namespace

NodeSnapshot collect_snapshot(const CollectorOptions& o) {
  NodeSnapshot snap;
  snap.node = o.node;

  std::vector<std::string> health_args;
  CommandRun health = run_health(o, snap, health_args);
  if (health.daemon_unreachable) {
    // mdatp answered "no": the MDE service is stopped (or mdatp is broken), which is what the
    // Disabled level looks like from the node. Nothing else would answer either.
    MdatpEnforcementFacts facts;
    facts.service_running = false;
    snap.enforcement = read_enforcement(facts);
    snap.collected_at_ms = now_epoch_ms();
    return snap;
  }
  if (health.output) {
    std::vector<std::string> warnings;
    auto h = parse_health_output(*health.output, &warnings);
    snap.health = parsed(std::move(h), health_args, "health", snap, &warnings);
  }

  const std::vector<std::string> antivirus_args{"health", "--details", "antivirus"};
  if (auto out = run(o, antivirus_args, "antivirus", snap).output) {
    std::vector<std::string> warnings;
    auto h = parse_health_output(*out, &warnings);
    if (auto details = parsed(std::move(h), antivirus_args, "antivirus", snap, &warnings);
        details && snap.health) {
      if (!snap.health->enforcement_level) snap.health->enforcement_level = details->enforcement_level;
    }
  }
  if (snap.health) snap.enforcement = read_enforcement(enforcement_facts(*snap.health));

  const std::vector<std::string> scan_args{"scan", "list", "--output", "json"};
  if (auto out = run(o, scan_args, "scans", snap).output) {
    if (auto scans = parsed(parse_scan_list_json(*out), scan_args, "scans", snap))
      snap.scans = std::move(*scans);
  }
  const std::vector<std::string> threat_args{"threat", "list", "--output", "json"};
  if (auto out = run(o, threat_args, "threats", snap).output) {
    if (auto list = parsed(parse_threat_list_json(*out), threat_args, "threats", snap))
      snap.threats = std::move(list->threats);
  }
  const std::vector<std::string> quarantine_args{"threat", "quarantine", "list", "--output", "json"};
  if (auto out = run(o, quarantine_args, "quarantine", snap).output) {
    if (auto q = parsed(parse_quarantine_list_json(*out), quarantine_args, "quarantine", snap))
      snap.quarantine = std::move(*q);
  }
  snap.collected_at_ms = now_epoch_ms();
  return snap;
}

}  // namespace nexus_mde::agent
