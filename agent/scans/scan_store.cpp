#include "agent/scans/scan_store.hpp"

#include "common/sys/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"

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

  return replace_file(path_, text, 0600);
}

Result<std::string> ScanStore::move_aside(std::int64_t now_ms) const {
  std::string aside = path_ + ".corrupt-" + std::to_string(now_ms);
  if (::rename(path_.c_str(), aside.c_str()) != 0)
    return make_error("cannot move aside: " + errno_text(), path_);
  return aside;
}

}  // namespace nexus_mde::agent
