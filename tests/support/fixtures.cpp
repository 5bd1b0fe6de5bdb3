#include "tests/support/fixtures.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace nexus_mde::testing {

namespace fs = std::filesystem;

fs::path fixture_path(const std::string& relative) { return fs::path(NEXUS_MDE_FIXTURES) / relative; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_fixture(const std::string& relative) { return read_file(fixture_path(relative)); }

std::string read_format_fixture(const std::string& relative) {
  std::string text = read_fixture(relative);
  auto nl = text.find('\n');
  if (text.rfind("# source: ", 0) != 0 || nl == std::string::npos || nl < 20) {
    throw std::runtime_error(relative +
                             ": the first line must be \"# source: …\" naming where the shape comes from");
  }
  return text.substr(nl + 1);
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<std::string> fixtures_in(const std::string& folder, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fixture_path(folder))) {
    std::string name = e.path().filename().string();
    if (name.size() >= suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      out.push_back(folder + "/" + name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

ScratchDir::ScratchDir() {
  fs::path base = fs::path(NEXUS_MDE_BINARY_DIR) / "Testing" / "tmp";
  fs::create_directories(base);
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path candidate = base / ("t" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    if (fs::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a scratch directory under " + base.string());
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace nexus_mde::testing
