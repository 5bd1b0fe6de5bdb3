#include "agent/scans/scan_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "common/json_reader.hpp"

namespace nexus_mde::agent {

namespace json = boost::json;

namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

ScanStore::ScanStore(std::string state_dir) : dir_(std::move(state_dir)), path_(dir_ + "/scans.json") {}

Result<std::vector<ScanTrigger>> ScanStore::load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::vector<ScanTrigger>{};
    return make_error("cannot read: " + errno_text(), path_);
  }
  std::stringstream text;
  text << in.rdbuf();
  auto doc = parse_json_text(text.str(), path_);
  if (!doc) return doc.error();
  const json::object* top = doc->if_object();
  const json::value* list = top ? top->if_contains("scans") : nullptr;
  if (!list || !list->is_array()) return make_error("expected {\"scans\":[...]}", path_);
  std::vector<ScanTrigger> out;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    auto t = scan_trigger_from_json(list->get_array()[i], "scans[" + std::to_string(i) + "]");
    if (!t) return t.error();
    out.push_back(std::move(*t));
  }
  return out;
}

Result<bool> ScanStore::save(const std::vector<ScanTrigger>& triggers) const {
  std::size_t first = triggers.size() > kKept ? triggers.size() - kKept : 0;
  json::array list;
  for (std::size_t i = first; i < triggers.size(); ++i) list.push_back(json::value_from(triggers[i]));
  std::string text = json::serialize(json::object{{"scans", std::move(list)}}) + "\n";

  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
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
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    auto e = make_error("cannot rename over " + path_ + ": " + errno_text(), tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  // The rename itself must reach the disk.
  int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return true;
}

Result<std::string> ScanStore::move_aside(std::int64_t now_ms) const {
  std::string aside = path_ + ".corrupt-" + std::to_string(now_ms);
  if (::rename(path_.c_str(), aside.c_str()) != 0) return make_error("cannot move aside: " + errno_text(), path_);
  return aside;
}

}  // namespace nexus_mde::agent
