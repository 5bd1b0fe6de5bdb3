// The bearer token for Azure Resource Manager: NEXUS_MDE_ARM_TOKEN, else AZURE_ACCESS_TOKEN, else
// `az account get-access-token --resource <endpoint>` (the operator's az login). A token that is
// missing or already expired is an error that says how to log in. The token is never logged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/sys/result.hpp"

namespace nexus_mde::plugin {

Result<std::string> arm_token(const std::string& endpoint);

// The `exp` claim of a JWT (epoch seconds), or nothing when `token` is not a JWT with one.
std::optional<std::int64_t> jwt_expiry(const std::string& token);

}  // namespace nexus_mde::plugin
