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
#include "common/model_json.hpp"
#include "common/time.hpp"

namespace nexus_mde::agent {

namespace json = boost::json;

namespace {

std::string errno_text() { return std::strerror(errno); }

json::value optional_number(const std::optional<std::int64_t>& n) { return n ? json::value(*n) : json::value(nullptr); }

Result<ScanTrigger> trigger_from_json(const json::value& v, const std::string& path) {
  if (!v.is_object()) return make_error("expected an object", path);
  const auto& o = v.get_object();
  ScanTrigger t;
  auto text = [&](const char* key, std::string& out) -> bool {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return false;
    out = std::string(it->value().get_string());
    return true;
  };
  auto time = [&](const char* key) -> std::optional<std::int64_t> {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_string()) return std::nullopt;
    auto ms = parse_rfc3339(it->value().get_string());
    return ms ? std::optional<std::int64_t>(*ms) : std::nullopt;
  };
  auto number = [&](const char* key) -> std::optional<std::int64_t> {
    auto it = o.find(key);
    if (it == o.end() || !it->value().is_int64()) return std::nullopt;
    return it->value().get_int64();
  };
  std::string requested_at;
  if (!text("id", t.id) || !text("type", t.type) || !text("state", t.state)) {
    return make_error("id, type and state are required", path);
  }
  text("requestedBy", t.requested_by);
  text("peer", t.peer);
  text("error", t.error);
  auto at = time("requestedAt");
  if (!at) return make_error("requestedAt is not an RFC 3339 time", path + ".requestedAt");
  t.requested_at_ms = *at;
  t.ended_at_ms = time("endedAt");
  t.files_scanned = number("filesScanned");
  t.threats_detected = number("threatsDetected");
  return t;
}

}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& jv, const ScanTrigger& t) {
  json::object o(jv.storage());
  o["id"] = t.id;
  o["type"] = t.type;
  o["state"] = t.state;
  o["requestedBy"] = t.requested_by;
  o["peer"] = t.peer;
  o["requestedAt"] = optional_time(t.requested_at_ms);
  o["endedAt"] = optional_time(t.ended_at_ms);
  o["filesScanned"] = optional_number(t.files_scanned);
  o["threatsDetected"] = optional_number(t.threats_detected);
  o["error"] = t.error.empty() ? json::value(nullptr) : json::value(t.error);
  jv = std::move(o);
}

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
    auto t = trigger_from_json(list->get_array()[i], "scans[" + std::to_string(i) + "]");
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
