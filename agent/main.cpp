// nexus-mde-agent: serves this node's Microsoft Defender for Endpoint state over mTLS.
//   nexus-mde-agent [--config FILE]             serve (systemd Type=notify)
//   nexus-mde-agent --check-config              validate and exit (0 valid, 3 invalid)
//   nexus-mde-agent --collect-once              print one snapshot as JSON and exit (0, or 1)
//   nexus-mde-agent --version                   what this binary is: version, commit, build type
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "agent/config/load_config.hpp"
#include "agent/log/event_log.hpp"
#include "agent/mdatp/collector.hpp"
#include "agent/service/agent_service.hpp"
#include "common/sys/build_info.hpp"

namespace {

// The agent's exit codes.
constexpr int kOk = 0;
constexpr int kCollectedWithErrors = 1;  // --collect-once: some mdatp command failed
constexpr int kInvalid = 3;              // usage or configuration error

// MDE lets members of the group its package creates, mdatp, run the commands the agent needs; root
// needs no group. Without the group every call would fail: better to say so once and exit 3, which
// the unit does not restart (RestartPreventExitStatus=3), than to serve a node that reads nothing.
std::string mdatp_group_problem() {
  if (::geteuid() == 0) return {};
  const struct group* g = ::getgrnam("mdatp");
  if (!g) {
    return "group mdatp does not exist: Microsoft Defender for Endpoint is not installed here (its package "
           "creates the "
           "group; installing it adds this agent's user to the group and starts the agent again)";
  }
  std::vector<gid_t> groups(static_cast<std::size_t>(std::max(::getgroups(0, nullptr), 0)));
  int n = ::getgroups(static_cast<int>(groups.size()), groups.data());
  if (::getegid() == g->gr_gid ||
      std::find(groups.begin(), groups.begin() + std::max(n, 0), g->gr_gid) != groups.end())
    return {};
  return "this process is not in group mdatp, so it cannot run mdatp: `usermod -a -G mdatp nexus-mde`, then "
         "`systemctl restart nexus-mde-agent`";
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace

int run_main(int argc, char** argv) {
  using namespace nexus_mde::agent;
  CLI::App app{"nexus-mde-agent: this node's Microsoft Defender for Endpoint state over mTLS"};
  ServiceOptions options;
  options.config_path = kDefaultConfigPath;
  bool check_only = false;
  bool collect_once = false;
  std::string log_target = "journal";
  app.set_version_flag("--version", "nexus-mde-agent " + nexus_mde::build_description());
  app.add_option("--config", options.config_path, "Configuration file")->capture_default_str();
  app.add_flag(
      "--check-config", check_only,
      "Validate the configuration, the files it names and the TLS certificate and key, list every problem, "
      "and exit (0 valid, 3 invalid)");
  app.add_flag("--collect-once", collect_once,
               "Collect this node's MDE state once, print it as JSON on stdout, and exit (0, or 1 if an "
               "mdatp command failed)");
  app.add_option("--node", options.overrides.node, "Node name (overrides \"node\")");
  app.add_option("--mdatp", options.overrides.mdatp_path,
                 "Absolute path of mdatp (overrides \"mdatp.path\")");
  app.add_option("--log-target", log_target, "Where log and audit entries go: journal (structured) or stderr")
      ->check(CLI::IsMember({"journal", "stderr"}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "nexus-mde-agent: " << e.what() << "\n";
    return kInvalid;
  }
  options.log_target = log_target == "stderr" ? LogTarget::kStderr : LogTarget::kJournal;
  options.fallback_node = host_name();

  LoadedConfig loaded = load_config(options.config_path, options.overrides, options.fallback_node);
  if (!loaded.config) {
    // On stderr in every mode: systemd puts a failed start's stderr in the journal too.
    for (const auto& p : loaded.problems) {
      std::cerr << options.config_path << ": " << (p.key == "(file)" ? "" : p.key + ": ") << p.message
                << "\n";
    }
    std::cerr << options.config_path << ": " << loaded.problems.size()
              << (loaded.problems.size() == 1 ? " problem\n" : " problems\n");
    return kInvalid;
  }
  const AgentConfig& cfg = *loaded.config;
  if (check_only) {
    std::cout << options.config_path << ": valid (node " << cfg.node << ", " << cfg.listen.size()
              << " listen address" << (cfg.listen.size() == 1 ? "" : "es") << ", " << cfg.clients.size()
              << " client identities, " << cfg.tokens.size() << " tokens)\n";
    return kOk;
  }
  if (collect_once) {
    CollectorOptions o;
    o.node = cfg.node;
    o.mdatp_path = cfg.mdatp_path;
    o.timeout = cfg.mdatp_timeout;
    auto snapshot = collect_snapshot(o);
    std::cout << boost::json::serialize(boost::json::value_from(snapshot)) << "\n";
    for (const auto& e : snapshot.errors)
      std::cerr << "nexus-mde-agent: " << e.source << ": " << e.message << "\n";
    return snapshot.errors.empty() ? kOk : kCollectedWithErrors;
  }
  if (auto problem = mdatp_group_problem(); !problem.empty()) {
    EventLog(options.log_target, cfg.node).write(Priority::kError, message_id::kMdatpFailure, problem);
    if (options.log_target != LogTarget::kStderr) std::cerr << "nexus-mde-agent: " << problem << "\n";
    return kInvalid;
  }
  return run_agent_service(options, std::move(loaded));
}

int main(int argc, char** argv) {
  // What escapes (memory exhausted, a bug) is said once under the agent's name, not as an abort.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "nexus-mde-agent: " << e.what() << "\n";
    return 1;
  }
}
