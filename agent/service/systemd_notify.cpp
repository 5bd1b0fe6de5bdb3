#include "agent/service/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <string>

namespace nexus_mde::agent::systemd {

void notify(std::string_view state) { sd_notify(0, std::string(state).c_str()); }

void ready(std::string_view status) { notify("READY=1\nSTATUS=" + std::string(status)); }
void status(std::string_view status) { notify("STATUS=" + std::string(status)); }
void reloading() { notify("RELOADING=1\nSTATUS=reloading the configuration"); }
void stopping(std::string_view status) { notify("STOPPING=1\nSTATUS=" + std::string(status)); }
void watchdog_ping() { notify("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_ping_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace nexus_mde::agent::systemd
