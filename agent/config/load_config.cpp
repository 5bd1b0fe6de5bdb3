#include "agent/config/load_config.hpp"

#include "common/files.hpp"
#include "common/net/tls_context.hpp"

namespace nexus_mde::agent {

namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;  // a configuration is a few KB

}  // namespace

LoadedConfig load_config(const std::string& path, const ConfigOverrides& overrides, const std::string& fallback_node) {
  LoadedConfig out;
  auto text = read_small_file(path, kMaxConfigBytes);
  if (!text) {
    out.problems.push_back({"(file)", text.error().message});
    return out;
  }
  ConfigResult parsed = parse_agent_config(*text, fallback_node);
  out.problems = std::move(parsed.problems);
  if (!parsed.config) return out;
  AgentConfig& cfg = *parsed.config;
  if (!overrides.node.empty()) cfg.node = overrides.node;
  if (!overrides.mdatp_path.empty()) {
    cfg.mdatp_path = overrides.mdatp_path;
    if (cfg.mdatp_path.front() != '/') out.problems.push_back({"--mdatp", "must be an absolute path"});
  }
  auto file_problems = check_config_files(cfg);
  out.problems.insert(out.problems.end(), file_problems.begin(), file_problems.end());
  if (!out.problems.empty()) return out;

  auto tls = net::make_server_tls_context({cfg.tls_cert, cfg.tls_key, cfg.tls_client_ca});
  for (const auto& p : tls.problems) {
    std::string key = p.role == net::TlsFileRole::kCertificate  ? "tls.cert"
                      : p.role == net::TlsFileRole::kPrivateKey ? "tls.key"
                                                                : "tls.clientCa";
    out.problems.push_back({key, p.file + ": " + p.message});
  }
  if (!out.problems.empty()) return out;
  out.tls = std::move(tls.context);
  out.config = std::move(cfg);
  return out;
}

}  // namespace nexus_mde::agent
