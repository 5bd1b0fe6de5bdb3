#include "common/sys/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
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
    case fs::file_type::regular:
      return {};
    case fs::file_type::not_found:
      return "no such file";
    case fs::file_type::directory:
      return "a directory, not a file";
    case fs::file_type::character:
      return "a character device, not a file";
    case fs::file_type::block:
      return "a block device, not a file";
    case fs::file_type::fifo:
      return "a named pipe, not a file";
    case fs::file_type::socket:
      return "a socket, not a file";
    default:
      return ec ? "cannot be looked at: " + ec.message() : "not a regular file";
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
      return make_error("larger than " + std::to_string(max_bytes) + " bytes: not the file it should be",
                        path);
    }
  }
  if (in.bad()) return make_error(std::string("cannot read: ") + std::strerror(errno), path);
  return text;
}

namespace {
std::string errno_text() { return std::strerror(errno); }
}  // namespace

Result<bool> replace_file(const std::string& path, const std::string& text, unsigned mode) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error("cannot create: " + errno_text(), tmp);
  std::size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto e = make_error("cannot write: " + errno_text(), tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = make_error("cannot fsync: " + errno_text(), tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = make_error("cannot rename over " + path + ": " + errno_text(), tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename itself must reach the disk.
  std::string folder = fs::path(path).parent_path().string();
  int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

std::string xdg_file(const char* xdg_variable, const char* home_default, const std::string& name) {
  if (const char* xdg = std::getenv(xdg_variable); xdg && *xdg)
    return std::string(xdg) + "/nexus-mde/" + name;
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/" + home_default + "/nexus-mde/" + name;
  return {};
}

}  // namespace nexus_mde
