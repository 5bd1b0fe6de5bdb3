// Runs one ARM conversation to its end on the fan-out engine (the ARM endpoint as its one node).
#pragma once

#include "common/result.hpp"
#include "plugin/arm/arm_access.hpp"
#include "plugin/arm/arm_conversation.hpp"
#include "plugin/exit_codes.hpp"

namespace nexus_mde::plugin {

// The outcome; an Error when it did not end ok, with the reason (ARM's error and request ids).
Result<NodeOutcome> run_arm(const ArmAccess& access, ArmConversation& conversation);

// The exit code for a run_arm failure: 3 when ARM refused the token (the operator must log in),
// 4 when the deadline passed, else 2 (ARM could not be read or the operation failed).
ExitCode arm_failure_exit_code(const Error& error);

}  // namespace nexus_mde::plugin
