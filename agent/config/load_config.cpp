#include "agent/config/load_config.hpp"

#include "common/net/tls_context.hpp"
#include "common/sys/files.hpp"

namespace nexus_mde::agent {

namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;  // a configuration is a few KB

// The TLS files as OpenSSL reads them: the context, or the problems by key.
net::TlsContextResult server_tls(const AgentConfig& cfg, std::vector<ConfigProblem>& problems) {
  auto tls = net::make_server_tls_context({cfg.tls_cert, cfg.tls_key, cfg.tls_client_ca});
  for (const auto& p : tls.problems) {
    std::string key = p.role == net::TlsFileRole::kCertificate  ? "tls.cert"
                      : p.role == net::TlsFileRole::kPrivateKey ? "tls.key"
                                                                : "tls.clientCa";
    problems.push_back({key, p.file + ": " + p.message});
  }
  return tls;
}

// The files named by keys that read well, so a missing certificate is listed beside a bad token;
// a key with a problem of its own holds a default path, which would only mislead.
void add_file_problems_of_good_keys(const AgentConfig& partial, std::vector<ConfigProblem>& problems) {
  auto has_problem = [&problems](const std::string& key) {
    for (const auto& p : problems) {
      if (p.key == key || key.rfind(p.key + ".", 0) == 0) return true;
    }
    return false;
  };
  std::vector<ConfigProblem> found;
  for (auto& p : check_config_files(partial)) {
    if (!has_problem(p.key)) found.push_back(std::move(p));
  }
  bool tls_readable = !has_problem("tls.cert") && !has_problem("tls.key") && !has_problem("tls.clientCa");
  for (const auto& p : found) tls_readable = tls_readable && p.key.rfind("tls.", 0) != 0;
  problems.insert(problems.end(), found.begin(), found.end());
  if (tls_readable) server_tls(partial, problems);
}

}  // namespace

LoadedConfig load_config(const std::string& path, const ConfigOverrides& overrides,
                         const std::string& fallback_node) {
  LoadedConfig out;
  auto text = read_small_file(path, kMaxConfigBytes);
  if (!text) {
    out.problems.push_back({"(file)", text.error().message});
    return out;
  }
  ConfigResult parsed = parse_agent_config(*text, fallback_node);
  out.problems = std::move(parsed.problems);
  if (!parsed.config) {
    if (parsed.partial) add_file_problems_of_good_keys(*parsed.partial, out.problems);
    return out;
  }
  AgentConfig& cfg = *parsed.config;
  if (!overrides.node.empty()) cfg.node = overrides.node;
  if (!overrides.mdatp_path.empty()) {
    cfg.mdatp_path = overrides.mdatp_path;
    if (cfg.mdatp_path.front() != '/') out.problems.push_back({"--mdatp", "must be an absolute path"});
  }
  auto file_problems = check_config_files(cfg);
  out.problems.insert(out.problems.end(), file_problems.begin(), file_problems.end());
  if (!out.problems.empty()) return out;

  auto tls = server_tls(cfg, out.problems);
  if (!out.problems.empty()) return out;
  out.tls = std::move(tls.context);
  out.config = std::move(cfg);
  return out;
}

}  // namespace nexus_mde::agent
