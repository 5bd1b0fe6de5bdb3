#include "plugin/arm/arm_run.hpp"

namespace nexus_mde::plugin {

Result<NodeOutcome> run_arm(const ArmAccess& access, ArmConversation& conversation) {
  auto run = fan_out({access.endpoint}, {&conversation}, *access.tls, access.fan_out);
  const NodeOutcome& o = run.nodes.front();
  if (o.state != NodeState::kOk) {
    return make_error(std::string(to_string(o.state)) + ": " + o.reason, "ARM " + access.endpoint.endpoint());
  }
  return o;
}

ExitCode arm_failure_exit_code(const Error& error) {
  if (error.message.starts_with(to_string(NodeState::kAuthError))) return ExitCode::kUsage;
  if (error.message.find("overall deadline") != std::string::npos) return ExitCode::kDeadline;
  return ExitCode::kIncomplete;
}

}  // namespace nexus_mde::plugin
