// Test helpers: fixture files and scratch directories.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace nexus_mde::testing {

std::filesystem::path fixture_path(const std::string& relative);  // under tests/fixtures
std::string read_fixture(const std::string& relative);
// A tests/fixtures/formats file: its first line, "# source: …", names where its shape comes from
// and is checked here; the rest, returned, is the tool's output.
std::string read_format_fixture(const std::string& relative);
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);
// Every file directly in a fixture folder whose name ends with `suffix`, sorted.
std::vector<std::string> fixtures_in(const std::string& folder, const std::string& suffix);

// A fresh directory under the build tree's Testing/tmp, removed when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace nexus_mde::testing
