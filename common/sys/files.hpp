// Small input files (a token, an inventory, a configuration, a PEM file) read whole, refusing what
// is not one: a directory, a device (/dev/zero never ends), a pipe, or more bytes than such a file
// can hold. The errors say what is there instead of a file.
#pragma once

#include <cstddef>
#include <string>

#include "common/sys/result.hpp"

namespace nexus_mde {

// Why `path` is not a regular file, following links: "no such file", "a directory, not a file",
// "a character device, not a file"...; empty when it is one.
std::string not_a_regular_file(const std::string& path);

// A file of nexus-mde's under the XDG base directory `xdg_variable` names ("XDG_CONFIG_HOME"),
// else under ~/`home_default` (".config"): DIR/nexus-mde/`name`. Empty when neither is set.
std::string xdg_file(const char* xdg_variable, const char* home_default, const std::string& name);

// The whole of `path`, or an error with the path as its field: not a regular file (as above),
// unreadable (strerror), or larger than `max_bytes`.
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);

// Writes `text` to `path` whole or not at all: a temporary file beside it, fsync, rename over,
// then fsync of the folder. A reader (Prometheus reading file_sd, the agent at start) never sees
// half a file. An error names the file and what failed.
Result<bool> replace_file(const std::string& path, const std::string& text, unsigned mode);

}  // namespace nexus_mde
