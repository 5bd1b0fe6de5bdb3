// What this binary is: the version, the git commit it was built from ("unknown" outside a git
// checkout, as in a source tarball) and the CMake build type. Both executables print it for
// --version, so an installed binary can always be asked.
#pragma once

#include <string>

namespace nexus_mde {

// "0.1.0 (commit 5926afb, Release)"
std::string build_description();
// "0.1.0", and the commit's 12 hex digits or "unknown" (nexus_mde_agent_build_info's labels).
std::string build_version();
std::string build_commit();

}  // namespace nexus_mde
