#include "plugin/report/extract_reader.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>

#include "common/sys/process.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde::plugin {
namespace {

namespace fs = std::filesystem;

TEST(NodeName, FromFileOrFolder) {
  EXPECT_EQ(node_name_from_path("x/rack1control01.mde-agent-information.json"), "rack1control01");
  EXPECT_EQ(node_name_from_path("rack1compute02.tar.gz"), "rack1compute02");
  EXPECT_EQ(node_name_from_path("/d/r07c03-mde-agent-information.tgz"), "r07c03");
  EXPECT_EQ(node_name_from_path("extracts/r1/mde-agent-information.json"), "r1");
  EXPECT_EQ(node_name_from_path("mde-agent-information.json"), "mde-agent-information.json");
}

// The member's whole text, as the report's parser receives it chunk by chunk.
Result<std::string> read_all(const std::string& path, std::size_t max_bytes = kMaxAgentInformationBytes) {
  std::string text;
  auto r = stream_extract(
      path,
      [&](std::string_view chunk) {
        text.append(chunk);
        return true;
      },
      max_bytes);
  if (!r) return r.error();
  return text;
}

class ExtractReader : public ::testing::Test {
 protected:
  // Builds an archive with the real tar, as a downloaded extract would be.
  fs::path make_tar(const std::string& name, const std::vector<std::string>& members,
                    const std::string& flags) {
    fs::path out = dir_ / name;
    std::vector<std::string> argv = {"/bin/tar", flags, out.string(), "-C", (dir_ / "tree").string()};
    argv.insert(argv.end(), members.begin(), members.end());
    auto r = run_process(argv, ProcessOptions{});
    EXPECT_TRUE(r.ok() && r->succeeded()) << (r.ok() ? r->describe() : r.error().describe());
    return out;
  }
  void SetUp() override {
    fs::create_directories(dir_ / "tree" / "hostfs" / "tmp" / "runcommand");
    content_ = testing::read_fixture("extracts/rack1control01.mde-agent-information.json");
    testing::write_file(dir_ / "tree" / "hostfs" / "tmp" / "runcommand" / "mde-agent-information.json",
                        content_);
    testing::write_file(dir_ / "tree" / "outputHead.txt", "====Action Command Output====\n");
  }
  testing::ScratchDir dir_;
  std::string content_;
};

TEST_F(ExtractReader, PlainJson) {
  auto f = read_all(testing::fixture_path("extracts/rack1control01.mde-agent-information.json").string());
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, content_);
}

TEST_F(ExtractReader, SinkCanStopEarly) {
  std::size_t calls = 0;
  auto r =
      stream_extract(testing::fixture_path("extracts/rack1control01.mde-agent-information.json").string(),
                     [&](std::string_view) { return ++calls > 1; });
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(calls, 1u);
}

TEST_F(ExtractReader, GzipAndPlainTarFindTheMemberAnywhere) {
  for (const auto& [name, flags] :
       std::vector<std::pair<std::string, std::string>>{{"rack2compute05.tar.gz", "-czf"},
                                                        {"rack2compute06.tar", "-cf"},
                                                        {"rack2compute07.tar.xz", "-cJf"}}) {
    auto path = make_tar(name, {"outputHead.txt", "hostfs"}, flags);
    auto f = read_all(path.string());
    ASSERT_TRUE(f.ok()) << name << ": " << f.error().describe();
    EXPECT_EQ(*f, content_) << name;
  }
}

TEST_F(ExtractReader, MissingMemberListsWhatIsThere) {
  auto path = make_tar("nothing.tar.gz", {"outputHead.txt"}, "-czf");
  auto f = read_all(path.string());
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message.find("outputHead.txt"), std::string::npos);
}

TEST_F(ExtractReader, AMemberOfThatNameThatIsNoFileIsNamedForWhatItIs) {
  fs::create_directories(dir_ / "tree" / "link" / "x");
  fs::create_symlink("/etc/passwd", dir_ / "tree" / "link" / "x" / "mde-agent-information.json");
  auto link = read_all(make_tar("link.tar.gz", {"link"}, "-czf").string());
  ASSERT_FALSE(link.ok());
  EXPECT_NE(
      link.error().message.find("x/mde-agent-information.json is a symbolic link to /etc/passwd, not a file"),
      std::string::npos)
      << link.error().message;
  fs::create_directories(dir_ / "tree" / "pipe");
  ASSERT_EQ(::mkfifo((dir_ / "tree" / "pipe" / "mde-agent-information.json").c_str(), 0600), 0);
  auto pipe = read_all(make_tar("pipe.tar.gz", {"pipe"}, "-czf").string());
  ASSERT_FALSE(pipe.ok());
  EXPECT_NE(pipe.error().message.find("pipe/mde-agent-information.json is a named pipe, not a file"),
            std::string::npos)
      << pipe.error().message;
}

TEST_F(ExtractReader, TruncatedAndOversizedAndMissing) {
  auto path = make_tar("full.tar.gz", {"hostfs"}, "-czf");
  std::string bytes = testing::read_file(path);
  testing::write_file(dir_ / "cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(read_all((dir_ / "cut.tar.gz").string()).ok());
  auto big = read_all(path.string(), 100);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("larger than"), std::string::npos);
  EXPECT_FALSE(read_all((dir_ / "absent.json").string()).ok());
  EXPECT_FALSE(read_all(dir_.path().string()).ok());
  testing::write_file(dir_ / "big.json", std::string(1000, ' '));
  EXPECT_FALSE(read_all((dir_ / "big.json").string(), 100).ok());  // plain files are capped too
}

}  // namespace
}  // namespace nexus_mde::plugin
