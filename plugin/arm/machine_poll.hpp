// Waiting on the cluster's machines through ARM (enforcement set --wait, scan --via arm --wait):
// list them every 2 s until none is pending or the deadline passes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/sys/result.hpp"
#include "plugin/arm/cluster_discovery.hpp"

namespace nexus_mde::plugin {

using PendingMachines = std::function<std::size_t(const std::vector<ArmMachine>&)>;

// The last listing. Lists once when `wait` is false; otherwise again every 2 s while `pending`
// counts machines not there yet and `give_up_at` has not passed, saying on `err` "waiting for N
// of M nodes to <waiting_for>". The look after the deadline gets its own --timeout.
Result<std::vector<ArmMachine>> poll_machines(const ArmAccess& arm,
                                              std::chrono::steady_clock::time_point give_up_at, bool wait,
                                              const PendingMachines& pending, const std::string& waiting_for,
                                              std::ostream& err);

}  // namespace nexus_mde::plugin
