// nexus-mde-agent: serves this node's Microsoft Defender for Endpoint state over mTLS.
// Built so far: configuration checking and one-shot collection; the HTTPS server is issue 3's
// next step, and until it exists the agent says so instead of pretending to serve.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "agent/config/agent_config.hpp"
#include "agent/mdatp/collector.hpp"

namespace {

// The agent's exit codes.
constexpr int kOk = 0;
constexpr int kCollectedWithErrors = 1;  // --collect-once: some mdatp command failed
constexpr int kInvalid = 3;              // usage or configuration error

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nexus_mde::agent;
  CLI::App app{"nexus-mde-agent: this node's Microsoft Defender for Endpoint state over mTLS"};
  std::string config_path = kDefaultConfigPath;
  bool check_only = false;
  bool collect_once = false;
  std::string node_override;
  std::string mdatp_override;
  app.add_option("--config", config_path, "Configuration file")->capture_default_str();
  app.add_flag("--check-config", check_only,
               "Validate the configuration and the files it names, list every problem, and exit (0 valid, 3 invalid)");
  app.add_flag("--collect-once", collect_once,
               "Collect this node's MDE state once, print it as JSON on stdout, and exit (0, or 1 if an mdatp command failed)");
  app.add_option("--node", node_override, "Node name (overrides \"node\")");
  app.add_option("--mdatp", mdatp_override, "Absolute path of mdatp (overrides \"mdatp.path\")");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "nexus-mde-agent: " << e.what() << "\n";
    return kInvalid;
  }

  std::ifstream in(config_path, std::ios::binary);
  if (!in) {
    std::cerr << "nexus-mde-agent: " << config_path << ": cannot read: " << std::strerror(errno) << "\n";
    return kInvalid;
  }
  std::stringstream text;
  text << in.rdbuf();
  ConfigResult parsed = parse_agent_config(text.str(), host_name());
  std::vector<ConfigProblem> problems = parsed.problems;
  if (parsed.config) {
    AgentConfig& cfg = *parsed.config;
    if (!node_override.empty()) cfg.node = node_override;
    if (!mdatp_override.empty()) {
      cfg.mdatp_path = mdatp_override;
      if (cfg.mdatp_path.front() != '/') problems.push_back({"--mdatp", "must be an absolute path"});
    }
    auto file_problems = check_config_files(cfg);
    problems.insert(problems.end(), file_problems.begin(), file_problems.end());
  }
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << config_path << ": " << p.key << ": " << p.message << "\n";
    std::cerr << config_path << ": " << problems.size() << (problems.size() == 1 ? " problem\n" : " problems\n");
    return kInvalid;
  }
  const AgentConfig& cfg = *parsed.config;
  if (check_only) {
    std::cout << config_path << ": valid (node " << cfg.node << ", " << cfg.listen.size() << " listen address"
              << (cfg.listen.size() == 1 ? "" : "es") << ", " << cfg.clients.size() << " client identities, "
              << cfg.tokens.size() << " tokens)\n";
    return kOk;
  }
  if (collect_once) {
    CollectorOptions o;
    o.node = cfg.node;
    o.mdatp_path = cfg.mdatp_path;
    o.timeout = std::chrono::seconds(cfg.mdatp_timeout_seconds);
    auto snapshot = collect_snapshot(o);
    std::cout << boost::json::serialize(boost::json::value_from(snapshot)) << "\n";
    for (const auto& e : snapshot.errors) std::cerr << "nexus-mde-agent: " << e.source << ": " << e.message << "\n";
    return snapshot.errors.empty() ? kOk : kCollectedWithErrors;
  }
  std::cerr << "nexus-mde-agent: serving over HTTPS is not built yet; use --check-config or --collect-once\n";
  return kInvalid;
}
