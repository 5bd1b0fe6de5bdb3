// A node's MDE state as ARM reports it (the bare-metal machine's runtimeProtectionStatus), for a
// node whose agent does not answer: health, license, definitions, enforcement level and the last
// scan's times. Threats, quarantine and scan results exist only on the node (agent or extract).
#pragma once

#include "common/model/model.hpp"
#include "plugin/arm/cluster_discovery.hpp"

namespace nexus_mde::plugin {

// False when ARM reports nothing about MDE on this machine.
bool has_runtime_protection_status(const ArmMachine& machine);

NodeSnapshot snapshot_from_arm(const ArmMachine& machine, std::int64_t now_ms);

}  // namespace nexus_mde::plugin
