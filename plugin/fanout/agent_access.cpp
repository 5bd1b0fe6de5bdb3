#include "plugin/fanout/agent_access.hpp"

#include <cmath>

#include "common/net/tls_context.hpp"
#include "common/sys/files.hpp"
#include "common/sys/text.hpp"

namespace nexus_mde::plugin {

namespace {

const char* flag_of(net::TlsFileRole role) {
  switch (role) {
    case net::TlsFileRole::kCertificate:
      return "--cert";
    case net::TlsFileRole::kPrivateKey:
      return "--key";
    case net::TlsFileRole::kTrustedCa:
      return "--ca-file";
  }
  return "?";
}

Result<std::string> read_token(const std::string& path) {
  auto text = read_small_file(path, std::size_t{64} << 10);  // a bearer token is a few hundred bytes
  if (!text) return make_error(text.error().message, "--token-file " + path);
  std::string token(trim(*text));
  if (token.empty()) return make_error("the token file is empty", "--token-file " + path);
  for (unsigned char c : token) {
    if (c <= ' ' || c == 0x7f)
      return make_error("the token holds spaces or control characters", "--token-file " + path);
  }
  return token;
}

}  // namespace

Result<std::chrono::milliseconds> duration_of(double seconds, const char* flag) {
  if (!(seconds > 0) || seconds > 7 * 24 * 3600) {
    return make_error("must be a number of seconds above 0 and at most a week", flag);
  }
  return std::chrono::milliseconds(std::llround(seconds * 1000));
}

Result<AgentAccess> open_agent_access(const AgentAccessOptions& options,
                                      std::chrono::seconds default_deadline) {
  if (options.ca_file.empty()) {
    return make_error("the CA that signs the agents' certificates is required (or NEXUS_MDE_CA_FILE)",
                      "--ca-file");
  }
  if (options.cert_file.empty() && options.key_file.empty() && options.token_file.empty()) {
    return make_error("give a client certificate (--cert and --key) or a bearer token (--token-file)",
                      "credentials");
  }
  if (options.concurrency > 4096) return make_error("must be from 1 to 4096", "--concurrency");
  if (auto budget = automatic_width(4096); options.concurrency > budget) {
    return make_error("needs " + std::to_string(options.concurrency) + " open files, and the limit allows " +
                          std::to_string(budget) + " (raise it with ulimit -n, or ask fewer at once)",
                      "--concurrency");
  }
  AgentAccess access;
  auto timeout = duration_of(options.timeout_seconds, "--timeout");
  if (!timeout) return timeout.error();
  access.fan_out.timeout = *timeout;
  if (options.deadline_seconds != 0) {
    auto deadline = duration_of(options.deadline_seconds, "--deadline");
    if (!deadline) return deadline.error();
    access.fan_out.deadline = *deadline;
  } else {
    access.fan_out.deadline = default_deadline;
  }
  access.fan_out.concurrency = options.concurrency;
  if (!options.token_file.empty()) {
    auto token = read_token(options.token_file);
    if (!token) return token.error();
    access.fan_out.bearer_token = std::move(*token);
  }
  auto tls = net::make_client_tls_context({options.ca_file, options.cert_file, options.key_file});
  if (!tls.context) {
    const auto& p = tls.problems.front();
    std::string message = p.message;
    for (std::size_t i = 1; i < tls.problems.size(); ++i) {
      message += "; " + std::string(flag_of(tls.problems[i].role)) + " " + tls.problems[i].file + ": " +
                 tls.problems[i].message;
    }
    return make_error(message, std::string(flag_of(p.role)) + " " + p.file);
  }
  access.tls = std::move(tls.context);
  if (!options.no_session_cache && !options.session_cache_file.empty()) {
    access.sessions = std::make_shared<TlsSessionCache>(options.session_cache_file,
                                                        trust_id(options.ca_file, options.cert_file));
    access.sessions->load();
    access.fan_out.session_cache = access.sessions.get();
  }
  return access;
}

}  // namespace nexus_mde::plugin
