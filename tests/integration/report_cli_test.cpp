// `nexus-mde report` end to end: the real binary on the sample extracts, every output format
// checked against golden files, exit codes, and stdout/stderr discipline.
// Set NEXUS_MDE_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/terminal_checks.hpp"

namespace nexus_mde {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

struct Cli {
  ProcessResult run(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    args.insert(args.begin(), NEXUS_MDE_CLI);
    ProcessOptions o;
    o.timeout = 30s;
    o.environment = std::move(env);
    o.working_directory = NEXUS_MDE_FIXTURES;  // relative paths keep the golden files portable
    auto r = run_process(args, o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProcessResult{};
  }
};

const std::string kClean = "extracts/rack1control01.mde-agent-information.json";
const std::string kThreats = "extracts/rack1compute07.mde-agent-information.json";

void expect_golden(const std::string& name, const std::string& actual) {
  fs::path golden = fs::path(NEXUS_MDE_GOLDEN) / name;
  if (std::getenv("NEXUS_MDE_UPDATE_GOLDEN")) testing::write_file(golden, actual);
  EXPECT_EQ(actual, testing::read_file(golden)) << "golden file " << golden;
}

TEST(ReportCli, GoldenOutputInEveryFormat) {
  Cli cli;
  for (const char* format : {"table", "json", "yaml", "tsv"}) {
    auto r = cli.run({"report", "-o", format, kClean, kThreats});
    EXPECT_EQ(r.exit_code, 1) << format;  // rack1compute07 has a threat
    EXPECT_TRUE(r.err.empty()) << r.err;
    expect_golden(std::string("report.") + format, r.out);
  }
}

TEST(ReportCli, JsonIsPureAndYamlIsTheSameDocument) {
  Cli cli;
  auto j = cli.run({"report", "-o", "json", kClean, kThreats, "no-such-file.json"});
  auto parsed = json::parse(j.out);  // throws (fails the test) if anything else is on stdout
  EXPECT_EQ(parsed.at("summary").at("unreadable"), 1);
  EXPECT_NE(j.err.find("no-such-file.json"), std::string::npos);
  // An independent YAML parser must read the YAML output as the same document.
  testing::ScratchDir dir;
  auto y = cli.run({"report", "-o", "yaml", kClean, kThreats, "no-such-file.json"});
  testing::write_file(dir / "out.yaml", y.out);
  testing::write_file(dir / "out.json", j.out);
  auto check = run_process(
      {"/usr/bin/python3", "-c",
       "import sys,json,yaml; a=yaml.safe_load(open(sys.argv[1])); b=json.load(open(sys.argv[2]));"
       "sys.exit(0 if a==b else 1)",
       (dir / "out.yaml").string(), (dir / "out.json").string()},
      ProcessOptions{});
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->exit_code, 0) << check->err;
}

TEST(ReportCli, ExitCodes) {
  Cli cli;
  EXPECT_EQ(cli.run({"report", kClean}).exit_code, 0);
  EXPECT_EQ(cli.run({"report", kThreats}).exit_code, 1);
  testing::ScratchDir dir;
  testing::write_file(dir / "broken.json", R"({"scanList":[{"startTime":"13 Oct"}]})");
  auto bad = cli.run({"report", kClean, (dir / "broken.json").string()});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("broken.json: scanList[0].startTime"), std::string::npos) << bad.err;
  EXPECT_NE(bad.out.find("rack1control01"), std::string::npos);  // the good file still prints
  EXPECT_EQ(cli.run({"report", kThreats, (dir / "broken.json").string()}).exit_code, 1);
  EXPECT_EQ(cli.run({"report"}).exit_code, 3);
  EXPECT_EQ(cli.run({"report", "-o", "xml", kClean}).exit_code, 3);
  EXPECT_EQ(cli.run({"bogus"}).exit_code, 3);
  auto help = cli.run({"report", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
}

TEST(ReportCli, OutputFormatFromTheEnvironment) {
  Cli cli;
  auto r = cli.run({"report", kClean}, {"NEXUS_MDE_OUTPUT=json"});
  EXPECT_NO_THROW((void)json::parse(r.out));
}

TEST(ReportCli, ReadsTheDataExtractArchive) {
  Cli cli;
  testing::ScratchDir dir;
  fs::create_directories(dir / "t" / "hostfs" / "tmp" / "runcommand");
  fs::copy_file(testing::fixture_path(kThreats),
                dir / "t" / "hostfs" / "tmp" / "runcommand" / "mde-agent-information.json");
  auto tar = run_process(
      {"/bin/tar", "-czf", (dir / "rack3compute01.tar.gz").string(), "-C", (dir / "t").string(), "hostfs"},
      ProcessOptions{});
  ASSERT_TRUE(tar.ok() && tar->succeeded());
  auto r = cli.run({"report", "-o", "json", (dir / "rack3compute01.tar.gz").string()});
  EXPECT_EQ(r.exit_code, 1);
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc.at("reports").at(0).at("node"), "rack3compute01");
  EXPECT_EQ(doc.at("reports").at(0).at("threats").at(0).at("name"), "Virus:DOS/EICAR_Test_File");
  EXPECT_EQ(doc.at("reports").at(0).at("scans").at(0).at("startTime"), "2023-10-13T13:42:53.732Z");
}

TEST(ReportCli, TimesDoNotDependOnTimeZoneOrLocale) {
  Cli cli;
  auto utc = cli.run({"report", "-o", "tsv", kClean}, {"TZ=UTC"});
  auto kolkata =
      cli.run({"report", "-o", "tsv", kClean}, {"TZ=Asia/Kolkata", "LC_ALL=C.UTF-8", "LANG=de_DE.UTF-8"});
  EXPECT_EQ(utc.out, kolkata.out);
  EXPECT_NE(utc.out.find("2023-10-13T13:42:53.732Z"), std::string::npos);
}

}  // namespace
}  // namespace nexus_mde

namespace nexus_mde {
namespace {

// An extract's text (and its file's name) reaches the terminal only as visible escapes, in every
// format: ESC and BEL, DEL and the C1 control CSI are never written raw.
TEST(ReportCli, EscapeCodesFromAFileNeverReachTheTerminal) {
  testing::ScratchDir dir;
  std::string text = testing::read_fixture(kThreats);
  const std::string version = "\"101.23062.0010\"";
  auto at = text.find(version);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, version.size(), R"("1.395\u001b[2J\u001b]0;pwned\u0007\u007f\u009b2J")");
  auto file = dir / "rack\x1b[2J.mde-agent-information.json";
  testing::write_file(file, text);
  Cli cli;
  for (const char* format : {"table", "json", "yaml", "tsv"}) {
    auto r = cli.run({"report", "-o", format, file.string()});
    EXPECT_EQ(r.exit_code, 1) << format << ": " << r.err;
    testing::expect_no_terminal_controls(r.out, std::string(format) + " stdout");
    testing::expect_no_terminal_controls(r.err, std::string(format) + " stderr");
    bool document = std::string(format) == "json" || std::string(format) == "yaml";
    EXPECT_NE(r.out.find(document ? R"(1.395\u001b[2J\u001b]0;pwned\u0007\u007f\u009b2J)"
                                  : R"(1.395\x1b[2J\x1b]0;pwned\x07\x7f\u009b2J)"),
              std::string::npos)
        << format << ": " << r.out;
    EXPECT_NE(r.out.find(document ? R"(rack\u001b[2J)" : R"(rack\x1b[2J)"), std::string::npos)
        << format << ": " << r.out;
  }
}

}  // namespace
}  // namespace nexus_mde
