// Reading a file in two parts at once (split_parse.hpp) must print exactly what reading it in one
// piece prints, wherever the boundary is guessed: for every cut from 1% to 99% of generated
// extracts, compact and pretty-printed, the report (stdout, stderr, exit code) is compared with
// the one-piece report, and the cuts must have been taken in both lists and refused where the
// guess was wrong.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/sys/process.hpp"
#include "plugin/report/report.hpp"
#include "plugin/report/split_parse.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde::plugin {
namespace {

std::string scan_list_scan(int i) {
  std::int64_t start = 1697204573732 + std::int64_t{i} * 3600000;
  return R"({"endTime": ")" + std::to_string(start + 58755) + R"(", "filesScanned": ")" +
         std::to_string(1700 + i) + R"(", "startTime": ")" + std::to_string(start) + R"(", "state": ")" +
         (i % 4 == 1 ? "failed" : "succeeded") +
         R"(", "threats": [], "type": "quick", "engineVersion": "1.1.23070.1002"})";
}

std::string wrapped_threat(int j, std::int64_t at) {
  return R"({"threat": {"tracking_id": "id-)" + std::to_string(j) +
         R"(", "name": "Virus:DOS/EICAR_Test_File", "type": "virus", "path": "/tmp/a \"quoted\" }, {\"type\": x/)" +
         std::to_string(j) + R"(/eicar.com.txt", "detection_time": )" + std::to_string(at) +
         R"(, "sha256": "c808473d13b00a689ac0ef89b804a662d7ee266ba3076bdd8842e214bccb6e9d"}, "history": [{"key": )" +
         std::to_string(at) + R"(, "value": "detected"}, {"key": )" + std::to_string(at + 300) +
         R"(, "value": "quarantined"}]})";
}

// Flat threats begin with "type", as scans may: a boundary guessed between two of them is in
// the wrong list.
std::string flat_threat(int j, int k, std::int64_t at) {
  return R"({"type": "virus", "name": "Flat)" + std::to_string(k) + R"(", "path": "/var/tmp/)" +
         std::to_string(j) + R"(/x", "detection_time": )" + std::to_string(at) + R"(, "start_time": )" +
         std::to_string(at) + "}";
}

std::string threat_list_scan(int j, bool last) {
  std::int64_t start = 1697204573732 + std::int64_t{j} * 3600000;
  std::string threats;
  if (j % 3 == 1) threats = wrapped_threat(j, start + 1000);
  if (j % 3 == 2) threats = flat_threat(j, 1, start + 1000) + ", " + flat_threat(j, 2, start + 2000);
  std::string s = R"({"type": "quick", "start_time": )" + std::to_string(start) + R"(, "end_time": )" +
                  std::to_string(start + 58755) + R"(, "files_scanned": )" + std::to_string(1750 + j) +
                  R"(, "threats": [)" + threats + "]";
  // Its last value: an escaped string (not read in place; the last scan's comes right before
  // the list closes, with a quoted "]" in it), a literal, or a plain string.
  if (last) return s + R"(, "state": "succeeded", "note": "a \"]\" b"})";
  if (j % 7 == 3) return s + R"(, "state": "succ\u0065eded"})";
  if (j % 5 == 2) return s + R"(, "state": "succeeded", "extra": true})";
  return s + R"(, "state": "succeeded"})";
}

struct Shape {
  int scan_list = 60;
  int threat_list = 80;
  std::string quarantine_threats = wrapped_threat(999, 1697204575000);
};

std::string agent_information(const Shape& shape) {
  std::string scans;
  for (int i = 0; i < shape.scan_list; ++i) scans += (i ? "," : "") + scan_list_scan(i);
  std::string listed;
  for (int j = 0; j < shape.threat_list; ++j)
    listed += (j ? "," : "") + threat_list_scan(j, j == shape.threat_list - 1);
  return R"({"diagnosticInformation": {"realTimeProtectionStats": {"counters": []}}, "generalHealth": {"healthy": true, "licensed": true, "appVersion": "101.23062.0010"}, "scanList": [)" +
         scans + R"(], "threatInformation": {"list": {"threats": {"scans": [)" + listed +
         R"(]}}, "quarantineList": {"type": "quarantined", "threats": [)" + shape.quarantine_threats + "]}}}";
}

// A line and an indent after every "{", "[" and ",", and before every "}" and "]", outside strings.
std::string pretty(const std::string& compact) {
  std::string out;
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  auto newline = [&] { out += "\n" + std::string(static_cast<std::size_t>(depth) * 2, ' '); };
  for (char c : compact) {
    if (in_string) {
      out += c;
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == ' ') continue;
    if (c == '}' || c == ']') {
      --depth;
      newline();
    }
    out += c;
    if (c == '"') in_string = true;
    if (c == ':') out += ' ';
    if (c == '{' || c == '[') ++depth;
    if (c == '{' || c == '[' || c == ',') newline();
  }
  return out;
}

struct Printed {
  std::string out;
  std::string err;
  ExitCode exit_code = ExitCode::kClean;
  SplitOutcome outcome = SplitOutcome::kNotTried;
};

Printed report(const std::string& path, OutputFormat format, const SplitOptions& split) {
  std::ostringstream out, err;
  std::vector<SplitOutcome> outcomes;
  Printed p;
  p.exit_code = run_report({path}, format, out, err, split, &outcomes);
  p.out = out.str();
  p.err = err.str();
  EXPECT_EQ(outcomes.size(), 1u);
  if (!outcomes.empty()) p.outcome = outcomes[0];
  return p;
}

const SplitOptions kOnePiece{std::numeric_limits<std::size_t>::max(), 0.5};

// Which list the search for a boundary began in (it takes the first boundary after that).
struct Tally {
  int spliced_in_scan_list = 0;
  int spliced_in_threat_list = 0;
  int discarded = 0;
};

// Every cut from 1% to 99%: the same report as in one piece. `list_at` is where the threat list
// begins.
Tally expect_every_cut_reads_as_one_piece(const std::string& path, std::size_t list_at, std::size_t size,
                                          OutputFormat format) {
  Printed whole = report(path, format, kOnePiece);
  EXPECT_EQ(whole.outcome, SplitOutcome::kNotTried);
  Tally tally;
  for (int percent = 1; percent <= 99; ++percent) {
    Printed split = report(path, format, SplitOptions{0, percent / 100.0});
    EXPECT_EQ(split.out, whole.out) << "cut at " << percent << "%";
    EXPECT_EQ(split.err, whole.err) << "cut at " << percent << "%";
    EXPECT_EQ(split.exit_code, whole.exit_code) << "cut at " << percent << "%";
    if (split.outcome == SplitOutcome::kSpliced) {
      (static_cast<std::size_t>(static_cast<double>(size) * percent / 100.0) < list_at
           ? tally.spliced_in_scan_list
           : tally.spliced_in_threat_list)++;
    }
    if (split.outcome == SplitOutcome::kDiscarded) ++tally.discarded;
  }
  return tally;
}

TEST(SplitParse, EveryCutReadsAsTheWholeFileCompactAndPretty) {
  testing::ScratchDir dir;
  for (bool indented : {false, true}) {
    std::string text = agent_information(Shape{});
    if (indented) text = pretty(text);
    auto path =
        (dir / (indented ? "pretty.mde-agent-information.json" : "compact.mde-agent-information.json"))
            .string();
    testing::write_file(path, text);
    Tally t = expect_every_cut_reads_as_one_piece(path, text.find("\"threatInformation\""), text.size(),
                                                  OutputFormat::kJson);
    // The guesses were taken in both lists, and refused where a threat looked like a scan.
    EXPECT_GE(t.spliced_in_scan_list, 5) << (indented ? "pretty" : "compact");
    EXPECT_GE(t.spliced_in_threat_list, 20) << (indented ? "pretty" : "compact");
    EXPECT_GE(t.discarded, 3) << (indented ? "pretty" : "compact");
  }
}

TEST(SplitParse, YamlReadsAsTheWholeFile) {
  testing::ScratchDir dir;
  std::string text = agent_information(Shape{});
  auto path = (dir / "n.mde-agent-information.json").string();
  testing::write_file(path, text);
  Tally t = expect_every_cut_reads_as_one_piece(path, text.find("\"threatInformation\""), text.size(),
                                                OutputFormat::kYaml);
  EXPECT_GE(t.spliced_in_threat_list, 20);
}

// The second part has the list's first record (the first part's scan has no threats): its "["
// opens the list.
TEST(SplitParse, TheSecondPartMayHoldAListsFirstRecord) {
  testing::ScratchDir dir;
  Shape shape;
  shape.scan_list = 0;
  shape.threat_list = 2;
  shape.quarantine_threats = "";
  std::string text = agent_information(shape);
  auto path = (dir / "small.mde-agent-information.json").string();
  testing::write_file(path, text);
  Tally t = expect_every_cut_reads_as_one_piece(path, text.find("\"threatInformation\""), text.size(),
                                                OutputFormat::kJson);
  EXPECT_GE(t.spliced_in_scan_list + t.spliced_in_threat_list, 10);
}

// Errors are the first part's to find, with the message and offset of the whole file's.
TEST(SplitParse, ErrorsReadAsInTheWholeFile) {
  testing::ScratchDir dir;
  std::string text = agent_information(Shape{});
  struct Case {
    const char* name;
    std::string text;
    SplitOutcome outcome;
    double at = 0.5;
  };
  std::string bad_field = text;
  std::size_t late = bad_field.find(R"("start_time": )", bad_field.size() * 8 / 10);
  bad_field.replace(late, 14, R"("start_time": true, "x": )");
  std::string bad_field_before = text;
  std::size_t early = bad_field_before.find(R"("startTime": )", bad_field_before.size() / 10);
  bad_field_before.replace(early, 13, R"("startTime": true, "x": )");
  std::string bad_syntax_after = text;
  bad_syntax_after.insert(bad_syntax_after.find(R"("quarantineList")"), "]");
  std::string bad_syntax_inside = text;
  bad_syntax_inside.insert(bad_syntax_inside.find(R"("end_time")", text.size() * 8 / 10), ",");
  // A boundary in a string that ends where a scan's key would start (not JSON): the first part
  // is still inside the string at the cut, in the list, where the prefix left the second.
  std::string in_string = text;
  std::size_t element = in_string.find(R"({"type": "quick")", text.size() / 2);
  in_string.insert(element, R"("x}, {"type": "quick", "start_time": 1}, )");
  std::vector<Case> cases = {
      {"a bad field before the cut (the second part is stopped)", bad_field_before, SplitOutcome::kDiscarded},
      {"a bad field after the cut", bad_field, SplitOutcome::kDiscarded},
      {"bad JSON after the list", bad_syntax_after, SplitOutcome::kSpliced},
      {"bad JSON in the list after the cut", bad_syntax_inside, SplitOutcome::kDiscarded},
      {"cut off in the list", text.substr(0, text.size() * 8 / 10), SplitOutcome::kDiscarded},
      {"a boundary in a string", in_string, SplitOutcome::kDiscarded,
       (static_cast<double>(element) + 0.5) / static_cast<double>(in_string.size())},
  };
  for (const auto& c : cases) {
    auto path = (dir / "bad.mde-agent-information.json").string();
    testing::write_file(path, c.text);
    Printed whole = report(path, OutputFormat::kJson, kOnePiece);
    EXPECT_EQ(whole.exit_code, ExitCode::kUsage) << c.name;
    EXPECT_FALSE(whole.err.empty()) << c.name;
    Printed split = report(path, OutputFormat::kJson, SplitOptions{0, c.at});
    EXPECT_EQ(split.outcome, c.outcome) << c.name;
    EXPECT_EQ(split.out, whole.out) << c.name;
    EXPECT_EQ(split.err, whole.err) << c.name;
    EXPECT_EQ(split.exit_code, whole.exit_code) << c.name;
  }
}

// Seeded mutations anywhere in the file (a byte dropped, added or changed to one that matters to
// JSON): whatever the parse makes of them, the two-part read makes the same.
TEST(SplitParse, MutatedFilesReadAsInOnePiece) {
  testing::ScratchDir dir;
  const std::string text = agent_information(Shape{});
  const std::string path = (dir / "m.mde-agent-information.json").string();
  const std::string structural = "{}[],:\"\\ 0an";
  std::mt19937 random(20261125);
  int spliced = 0;
  for (int i = 0; i < 300; ++i) {
    std::string mutated = text;
    std::size_t at = std::uniform_int_distribution<std::size_t>(0, mutated.size() - 1)(random);
    char c = structural[std::uniform_int_distribution<std::size_t>(0, structural.size() - 1)(random)];
    switch (i % 3) {
      case 0:
        mutated.erase(at, 1);
        break;
      case 1:
        mutated.insert(at, 1, c);
        break;
      default:
        mutated[at] = c;
        break;
    }
    testing::write_file(path, mutated);
    Printed whole = report(path, OutputFormat::kJson, kOnePiece);
    for (double cut : {0.3, 0.5, 0.7}) {
      Printed split = report(path, OutputFormat::kJson, SplitOptions{0, cut});
      EXPECT_EQ(split.out, whole.out) << "mutation " << i << " at " << at << ", cut " << cut;
      EXPECT_EQ(split.err, whole.err) << "mutation " << i << " at " << at << ", cut " << cut;
      EXPECT_EQ(split.exit_code, whole.exit_code) << "mutation " << i;
      spliced += split.outcome == SplitOutcome::kSpliced;
    }
  }
  EXPECT_GE(spliced, 300);  // most mutations leave the boundary and the list alone
}

// Between files the printer goes back to serializing on a thread of its own, and a file that
// failed leaves nothing behind for the next.
TEST(SplitParse, SeveralFilesReadAsInOnePiece) {
  testing::ScratchDir dir;
  std::string text = agent_information(Shape{});
  std::string bad = text;
  bad.insert(bad.find(R"("endTime")", bad.size() / 10), ",");
  std::vector<std::string> paths;
  for (auto [name, content] : {std::pair{"a", text}, std::pair{"bad", bad}, std::pair{"c", text}}) {
    paths.push_back((dir / (std::string(name) + ".mde-agent-information.json")).string());
    testing::write_file(paths.back(), content);
  }
  std::ostringstream whole_out, whole_err, split_out, split_err;
  std::vector<SplitOutcome> outcomes;
  ExitCode whole = run_report(paths, OutputFormat::kJson, whole_out, whole_err, kOnePiece);
  ExitCode split =
      run_report(paths, OutputFormat::kJson, split_out, split_err, SplitOptions{0, 0.5}, &outcomes);
  EXPECT_EQ(split_out.str(), whole_out.str());
  EXPECT_EQ(split_err.str(), whole_err.str());
  EXPECT_EQ(split, whole);
  EXPECT_EQ(outcomes,
            (std::vector{SplitOutcome::kSpliced, SplitOutcome::kDiscarded, SplitOutcome::kSpliced}));
}

TEST(SplitParse, TableAndTsvReadAsTheWholeFile) {
  testing::ScratchDir dir;
  std::string text = agent_information(Shape{});
  auto path = (dir / "n.mde-agent-information.json").string();
  testing::write_file(path, text);
  for (OutputFormat format : {OutputFormat::kTable, OutputFormat::kTsv}) {
    Tally t =
        expect_every_cut_reads_as_one_piece(path, text.find("\"threatInformation\""), text.size(), format);
    EXPECT_GE(t.spliced_in_threat_list, 20);
  }
}

TEST(SplitParse, OnlyLargePlainFiles) {
  testing::ScratchDir dir;
  auto path = (dir / "n.mde-agent-information.json").string();
  testing::write_file(path, agent_information(Shape{}));
  EXPECT_EQ(report(path, OutputFormat::kJson, SplitOptions{}).outcome,
            SplitOutcome::kNotTried);  // under 4 MiB
  EXPECT_EQ(report(path, OutputFormat::kJson, SplitOptions{0, 0.5}).outcome, SplitOutcome::kSpliced);
  // An archive is read through libarchive from its start (an uncompressed tar too, whose
  // middle holds the JSON text as it is).
  std::filesystem::create_directories(dir / "tree");
  testing::write_file(dir / "tree" / "mde-agent-information.json", agent_information(Shape{}));
  auto r = run_process({"/bin/tar", "-cf", (dir / "n.tar").string(), "-C", (dir / "tree").string(),
                        "mde-agent-information.json"},
                       ProcessOptions{});
  ASSERT_TRUE(r.ok() && r->succeeded());
  Printed archived = report((dir / "n.tar").string(), OutputFormat::kJson, SplitOptions{0, 0.5});
  EXPECT_EQ(archived.outcome, SplitOutcome::kNotTried);
  EXPECT_EQ(archived.exit_code, ExitCode::kFindings) << archived.err;
}

}  // namespace
}  // namespace nexus_mde::plugin
