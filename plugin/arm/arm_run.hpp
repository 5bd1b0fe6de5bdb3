// Runs one ARM conversation to its end on the fan-out engine (the ARM endpoint as its one node).
#pragma once

#include "common/sys/result.hpp"
#include "plugin/arm/arm_access.hpp"
#include "plugin/arm/arm_conversation.hpp"
#include "plugin/exit_codes.hpp"

namespace nexus_mde::plugin {

// The outcome; an Error when it did not end ok, with the reason (ARM's error and request ids).
Result<ExchangeOutcome> run_arm(const ArmAccess& access, ArmConversation& conversation);

// A conversation with ARM that did not end ok, as an Error of the kind its state says, naming ARM
// as the field.
Error arm_error(const ArmAccess& access, const ExchangeOutcome& outcome);

// The exit code for an Error by its kind: 3 for the operator's to fix (a flag, a file, a token
// ARM refused: log in), 4 when the deadline passed, else 2 (ARM could not be read or the
// operation failed).
ExitCode arm_failure_exit_code(const Error& error);

}  // namespace nexus_mde::plugin
