// The `mde-agent-information` data extract on one bare-metal machine: POST
// runDataExtractsRestricted (api-version 2025-07-01-preview and later; plain runDataExtracts
// before, docs/formats.md, ARM api-versions) with {"commands":[{"command":"mde-agent-information"}],
// "limitTimeSeconds":N}, then follow the operation (Location) to its end and keep its result:
// the script's exit code, the head of its output, and the SAS URL of the tar.gz.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "plugin/arm/arm_conversation.hpp"

namespace nexus_mde::plugin {

// The service's exit code when the script ran past limitTimeSeconds.
inline constexpr std::string_view kExtractTimeoutExitCode = "252";

struct DataExtractResult {
  std::string exit_code;    // "0" when the script succeeded (a string in OperationStatusResult)
  std::string output_head;  // its first bytes of output
  std::string result_url;   // a read SAS URL: a secret, never printed or logged
};

// True from api-version 2025-07-01-preview on, where mde-agent-information is a restricted extract.
bool uses_restricted_action(std::string_view api_version);

class DataExtract final : public ArmConversation {
 public:
  DataExtract(const ArmAccess& access, std::string machine_id, std::int64_t limit_seconds)
      : ArmConversation(access), machine_id_(std::move(machine_id)), limit_seconds_(limit_seconds) {}

  const DataExtractResult& result() const { return result_; }

 protected:
  Request begin() override;
  Next on_answer(const Response& response) override;

 private:
  std::string machine_id_;
  std::int64_t limit_seconds_;
  bool posted_ = false;
  DataExtractResult result_;
};

}  // namespace nexus_mde::plugin
