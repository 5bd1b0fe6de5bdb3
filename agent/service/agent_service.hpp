// The running agent: the HTTPS server, the snapshot cache, the scans and the router on one event
// loop, with the operating-system side around them: systemd readiness and watchdog, SIGHUP
// reload (the listener stays open; new connections get the new certificate; a bad new
// configuration is refused and the old one kept), and SIGTERM/SIGINT drain.
#pragma once

#include <string>

#include "agent/config/load_config.hpp"
#include "agent/log/event_log.hpp"

namespace nexus_mde::agent {

struct ServiceOptions {
  std::string config_path;
  ConfigOverrides overrides;
  std::string fallback_node;  // the host name, when the config names no node
  LogTarget log_target = LogTarget::kJournal;
};

// Serves until SIGTERM or SIGINT, then drains in-flight requests (up to the I/O timeout) and
// returns 0. Returns 3 when the configuration is invalid and 1 when no address can be listened on.
int run_agent_service(const ServiceOptions& options, LoadedConfig initial);

}  // namespace nexus_mde::agent
