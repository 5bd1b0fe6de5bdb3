#include "plugin/arm/machine_poll.hpp"

#include <algorithm>
#include <thread>

#include "plugin/arm/arm_run.hpp"

namespace nexus_mde::plugin {

Result<std::vector<ArmMachine>> poll_machines(const ArmAccess& arm,
                                              std::chrono::steady_clock::time_point give_up_at, bool wait,
                                              const PendingMachines& pending, const std::string& waiting_for,
                                              std::ostream& err) {
  using std::chrono::milliseconds;
  for (;;) {
    auto left = std::chrono::duration_cast<milliseconds>(give_up_at - std::chrono::steady_clock::now());
    ArmAccess poll = arm;
    poll.fan_out.deadline = std::max(left, arm.fan_out.timeout);
    ClusterDiscovery discovery(poll, true);
    auto listed = run_arm(poll, discovery);
    if (!listed) return listed.error();
    std::size_t waiting = pending(discovery.machines());
    left = std::chrono::duration_cast<milliseconds>(give_up_at - std::chrono::steady_clock::now());
    if (!wait || waiting == 0 || left.count() <= 0) return discovery.machines();
    err << "nexus-mde: waiting for " << waiting << " of " << discovery.machines().size() << " nodes to "
        << waiting_for << "\n";
    std::this_thread::sleep_for(std::min(milliseconds(2000), left));
  }
}

}  // namespace nexus_mde::plugin
