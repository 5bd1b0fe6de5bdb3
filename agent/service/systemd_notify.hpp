// systemd's notification protocol (sd_notify): READY=1, STATUS=…, RELOADING=1, STOPPING=1 and
// WATCHDOG=1. Without NOTIFY_SOCKET (a foreground run) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace nexus_mde::agent::systemd {

void notify(std::string_view state);  // "READY=1\nSTATUS=serving"
void ready(std::string_view status);
void status(std::string_view status);
void reloading();
void stopping(std::string_view status);
void watchdog_ping();

// The interval at which to ping the watchdog (half of WATCHDOG_USEC), when systemd asks for it.
std::optional<std::chrono::microseconds> watchdog_ping_interval();

}  // namespace nexus_mde::agent::systemd
