# Writes build_info.cpp (OUT) with the version, the checkout's commit and the build type; the
# file is only replaced when that text changes, so a build without a new commit recompiles nothing.
execute_process(COMMAND git -C "${SOURCE_DIR}" rev-parse --short=12 HEAD
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE git_failed)
if(git_failed OR commit STREQUAL "")
  set(commit "unknown")
endif()
if(BUILD_TYPE STREQUAL "")
  set(BUILD_TYPE "unspecified")
endif()
file(WRITE "${OUT}.new" "#include \"common/sys/build_info.hpp\"

namespace nexus_mde {

std::string build_description() { return \"${VERSION} (commit ${commit}, ${BUILD_TYPE})\"; }
std::string build_version() { return \"${VERSION}\"; }
std::string build_commit() { return \"${commit}\"; }

}  // namespace nexus_mde
")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
