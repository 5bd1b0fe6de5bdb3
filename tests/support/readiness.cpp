#include "tests/support/readiness.hpp"

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace nexus_mde::testing {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ready_deadline() {
  static const std::chrono::milliseconds deadline = [] {
    const char* text = std::getenv("NEXUS_MDE_TEST_READY_SECONDS");
    long seconds = text ? std::strtol(text, nullptr, 10) : 0;
    return std::chrono::milliseconds(1000 * (seconds > 0 ? seconds : 180));
  }();
  return deadline;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    if (done()) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(250));
  }
}

bool wait_for_text(const fs::path& file, std::string_view text, std::chrono::milliseconds deadline) {
  return wait_until(
      [&] {
        std::ifstream in(file, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return content.find(text) != std::string::npos;
      },
      deadline);
}

NotifySocket::NotifySocket() {
  char tmpl[] = "/tmp/nexus-mde-notify-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot create a directory for a notify socket");
  dir_ = tmpl;
  path_ = dir_ / "notify";
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot bind a notify socket at " + path_.string());
  }
}

NotifySocket::~NotifySocket() {
  ::close(fd_);
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool NotifySocket::receive_until(const std::function<bool(const std::string&)>& done,
                                 const std::function<bool()>& stop, std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  for (;;) {
    if (done(messages_)) return true;
    if ((stop && stop()) || Clock::now() >= until) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buffer[4096];
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) messages_.append(buffer, static_cast<std::size_t>(n)).push_back('\n');
    }
  }
}

std::size_t NotifySocket::count(std::string_view state) const {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = messages_.find(state, at)) != std::string::npos; at += state.size()) ++n;
  return n;
}

}  // namespace nexus_mde::testing
