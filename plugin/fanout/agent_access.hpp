// How the CLI reaches agents: the CA their certificates must chain to, our client certificate
// or bearer token, and the fan-out's timing and width. Loaded once per command; every problem
// names the flag or file concerned.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/sys/result.hpp"
#include "plugin/fanout/fan_out.hpp"
#include "plugin/fanout/session_cache.hpp"

namespace nexus_mde::plugin {

struct AgentAccessOptions {
  std::string ca_file;            // --ca-file
  std::string cert_file;          // --cert
  std::string key_file;           // --key
  std::string token_file;         // --token-file
  double timeout_seconds = 5;     // --timeout, per node and exchange
  double deadline_seconds = 0;    // --deadline, the whole command; 0: the command's default
  std::size_t concurrency = 0;    // --concurrency; 0: automatic (fan_out.hpp automatic_width)
  bool no_session_cache = false;  // --no-session-cache
  std::string session_cache_file = default_session_cache_file();
};

struct AgentAccess {
  std::shared_ptr<boost::asio::ssl::context> tls;
  FanOutOptions fan_out;  // timeout, deadline, width and token; callbacks left to the command
  std::shared_ptr<TlsSessionCache> sessions;  // fan_out.session_cache points here; none when off
};

// --timeout, --deadline: seconds above 0 and at most a week, or an error naming `flag`.
Result<std::chrono::milliseconds> duration_of(double seconds, const char* flag);

// `default_deadline` applies when --deadline was not given.
Result<AgentAccess> open_agent_access(const AgentAccessOptions& options,
                                      std::chrono::seconds default_deadline);

}  // namespace nexus_mde::plugin
