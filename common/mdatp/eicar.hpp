// The standard antivirus test file (EICAR): the agent's detection test writes it, the mdatp
// double flags it, tests plant it. Header-only so the standalone double can use it too. Split in
// two so that no source or binary holds the whole string in one piece and becomes a hit itself.
#pragma once

#include <string>

namespace nexus_mde {

inline const std::string kEicarTestString =
    std::string("X5O!P%@AP[4\\PZX54(P^)7CC)7}$") + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

}  // namespace nexus_mde
