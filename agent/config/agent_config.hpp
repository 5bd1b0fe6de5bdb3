// The agent's configuration (/etc/nexus-mde/agent.json): its shape, its defaults, and a
// validation that names every problem by its key, so `--check-config` can list them all at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus_mde::agent {

inline constexpr std::uint16_t kDefaultPort = 9448;
inline constexpr const char* kDefaultConfigPath = "/etc/nexus-mde/agent.json";

enum class Role { kReader, kOperator };
std::string_view to_string(Role role);

struct ListenAddress {
  std::string host;  // "0.0.0.0", "::", "127.0.0.5" (brackets removed)
  std::uint16_t port = kDefaultPort;
};

struct ClientIdentity {
  std::string identity;  // certificate subject CN or a SAN
  Role role = Role::kReader;
};

struct TokenHash {
  std::string name;
  std::string sha256_hex;  // lower-case hex of SHA-256 of the token; the token itself is never stored
  Role role = Role::kReader;
};

struct AgentConfig {
  std::string node;
  std::vector<ListenAddress> listen{{"0.0.0.0", kDefaultPort}, {"::", kDefaultPort}};
  std::string tls_cert = "/etc/nexus-mde/tls/agent.crt";
  std::string tls_key = "/etc/nexus-mde/tls/agent.key";
  std::string tls_client_ca = "/etc/nexus-mde/tls/ca.crt";
  std::vector<ClientIdentity> clients;
  std::vector<TokenHash> tokens;
  std::string mdatp_path = "/usr/bin/mdatp";
  // Each read-only mdatp command; "timeoutSeconds" may be fractional (down to 0.01 s).
  std::chrono::milliseconds mdatp_timeout{30'000};
  std::uint32_t scan_timeout_seconds = 6 * 3600;  // a quick or full scan triggered through the agent
  std::uint32_t refresh_seconds = 60;
  std::uint32_t max_age_seconds = 10;
  std::uint32_t max_connections = 256;
  std::uint32_t header_bytes = 8192;
  std::uint32_t body_bytes = 4096;
  std::uint32_t io_timeout_seconds = 10;
  std::uint32_t idle_seconds = 60;
  // Connections that have not finished TLS: their deadline and budgets (http_server.hpp).
  std::uint32_t handshake_timeout_seconds = 3;
  std::uint32_t max_handshakes = 64;
  std::uint32_t max_handshakes_per_address = 16;
  std::string state_dir = "/var/lib/nexus-mde-agent";
  // Where POST /v1/detection-test writes its EICAR file (empty: <stateDir>/detection-test), and
  // how long MDE has to catch it.
  std::string detection_directory;
  std::uint32_t detection_timeout_seconds = 60;

  std::string detection_directory_or_default() const {
    return detection_directory.empty() ? state_dir + "/detection-test" : detection_directory;
  }
};

struct ConfigProblem {
  std::string key;      // "tls.cert", "tokens[1].sha256", "limits.bodyBytes"
  std::string message;  // what is wrong with it
};

struct ConfigResult {
  std::optional<AgentConfig> config;  // set only when there are no problems
  std::vector<ConfigProblem> problems;
  // What could be read when the document was a JSON object, problems or not (a bad key keeps its
  // default): --check-config checks its files too, so one pass lists every problem.
  std::optional<AgentConfig> partial;
};

// Parses and validates the JSON text. `fallback_node` names the node when "node" is absent (the
// host name). Unknown keys are problems too: a typo must not silently fall back to a default.
ConfigResult parse_agent_config(std::string_view text, const std::string& fallback_node);

// Checks what the file system must provide: the TLS files readable, mdatp executable, the state
// directory's parent present. Separate from parsing so the rules above are testable anywhere.
std::vector<ConfigProblem> check_config_files(const AgentConfig& config);

// "listen[1]: …" lines, one per problem.
std::string describe(const std::vector<ConfigProblem>& problems);

}  // namespace nexus_mde::agent
