#include "common/files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace nexus_mde {

namespace fs = std::filesystem;

std::string not_a_regular_file(const std::string& path) {
  std::error_code ec;
  auto status = fs::status(path, ec);
  switch (status.type()) {
    case fs::file_type::regular: return {};
    case fs::file_type::not_found: return "no such file";
    case fs::file_type::directory: return "a directory, not a file";
    case fs::file_type::character: return "a character device, not a file";
    case fs::file_type::block: return "a block device, not a file";
    case fs::file_type::fifo: return "a named pipe, not a file";
    case fs::file_type::socket: return "a socket, not a file";
    default: return ec ? "cannot be looked at: " + ec.message() : "not a regular file";
  }
}

Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes) {
  if (auto why = not_a_regular_file(path); !why.empty()) return make_error(why, path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(std::string("cannot read: ") + std::strerror(errno), path);
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      return make_error("larger than " + std::to_string(max_bytes) + " bytes: not the file it should be", path);
    }
  }
  if (in.bad()) return make_error(std::string("cannot read: ") + std::strerror(errno), path);
  return text;
}

}  // namespace nexus_mde
