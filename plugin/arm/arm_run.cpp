#include "plugin/arm/arm_run.hpp"

namespace nexus_mde::plugin {

Result<ExchangeOutcome> run_arm(const ArmAccess& access, ArmConversation& conversation) {
  auto run = fan_out({access.endpoint}, {&conversation}, *access.tls, access.fan_out);
  const ExchangeOutcome& o = run.outcomes.front();
  if (o.state != ExchangeState::kOk) return arm_error(access, o);
  return o;
}

Error arm_error(const ArmAccess& access, const ExchangeOutcome& o) {
  ErrorKind kind = o.deadline_passed                        ? ErrorKind::kDeadline
                   : o.state == ExchangeState::kAuthError   ? ErrorKind::kAuth
                   : o.state == ExchangeState::kUnreachable ? ErrorKind::kUnreachable
                   : o.state == ExchangeState::kTimeout     ? ErrorKind::kUnreachable
                                                            : ErrorKind::kProtocol;
  return make_error(std::string(to_string(o.state)) + ": " + o.reason, "ARM " + access.endpoint.endpoint(),
                    kind);
}

ExitCode arm_failure_exit_code(const Error& error) {
  switch (error.kind) {
    case ErrorKind::kInvalidInput:
    case ErrorKind::kAuth:
      return ExitCode::kUsage;
    case ErrorKind::kDeadline:
      return ExitCode::kDeadline;
    case ErrorKind::kUnreachable:
    case ErrorKind::kProtocol:
      return ExitCode::kIncomplete;
  }
  return ExitCode::kIncomplete;
}

}  // namespace nexus_mde::plugin
