#include "plugin/output/printout.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace nexus_mde::plugin {
namespace {

// Two tables and prose, as `threats` builds them: a people table with a title, one for scripts.
Printout sample(bool with_quarantine) {
  Printout p("Sample");
  p.set_document(boost::json::object{{"nodes", 2}});
  PrintedTable& people = p.add_table({"NODE", "AGE"}, Audience::kPeople);
  people.add({"r01", "2m ago"});
  PrintedTable& titled = p.add_table({"NODE", "PATH"}, Audience::kPeople);
  titled.title = "Quarantine:";
  if (with_quarantine) titled.add({"r02", "/tmp/x"});
  PrintedTable& scripts = p.add_table({}, Audience::kScripts);
  scripts.add({"r01", "2026-12-05T09:00:00Z"});
  p.add_text("\n2 nodes\n");
  return p;
}

std::string printed(const Printout& p, OutputFormat format) {
  std::ostringstream out;
  p.print(format, out);
  return out.str();
}

TEST(Printout, TableShowsPeopleBlocksAndLeavesOutAnEmptyTitledTable) {
  EXPECT_EQ(printed(sample(false), OutputFormat::kTable),
            "NODE  AGE\n"
            "r01   2m ago\n"
            "\n2 nodes\n");
  EXPECT_EQ(printed(sample(true), OutputFormat::kTable),
            "NODE  AGE\n"
            "r01   2m ago\n"
            "\nQuarantine:\n"
            "NODE  PATH\n"
            "r02   /tmp/x\n"
            "\n2 nodes\n");
}

TEST(Printout, TsvGivesScriptsTheirRowsAlone) {
  EXPECT_EQ(printed(sample(true), OutputFormat::kTsv), "r01\t2026-12-05T09:00:00Z\n");
}

TEST(Printout, TsvUsesTheScriptCellsOfARowWhereItHasThem) {
  Printout p("Sample");
  PrintedTable& t = p.add_table({"NODE", "STARTED"});
  t.add({"r01", "5m ago"}, {"r01", "2026-12-05T09:00:00Z"});
  t.add({"r02", "?"});
  EXPECT_EQ(printed(p, OutputFormat::kTsv), "r01\t2026-12-05T09:00:00Z\nr02\t?\n");
  EXPECT_EQ(printed(p, OutputFormat::kTable), "NODE  STARTED\nr01   5m ago\nr02   ?\n");
}

TEST(Printout, AnEmptyTableSaysSoWhereItIsAskedTo) {
  Printout p("Sample");
  p.add_table({"NODE", "TYPE"}).when_empty = "No scans reported.";
  EXPECT_EQ(printed(p, OutputFormat::kTable), "No scans reported.\n");
  EXPECT_EQ(printed(p, OutputFormat::kTsv), "");
  Printout headers_only("Sample");
  headers_only.add_table({"NODE", "TYPE"});
  EXPECT_EQ(printed(headers_only, OutputFormat::kTable), "NODE  TYPE\n");
}

TEST(Printout, TextForBothReachesScriptsToo) {
  Printout p("Sample");
  p.add_text("changed\n", Audience::kBoth);
  p.add_text("for people\n");
  EXPECT_EQ(printed(p, OutputFormat::kTsv), "changed\n");
  EXPECT_EQ(printed(p, OutputFormat::kTable), "changed\nfor people\n");
}

TEST(Printout, JsonAndYamlWriteTheDocumentAndNothingElse) {
  EXPECT_EQ(printed(sample(true), OutputFormat::kJson),
            "{\"apiVersion\":\"nexus-mde/v1\",\"kind\":\"Sample\",\"nodes\":2}\n");
  EXPECT_EQ(printed(sample(true), OutputFormat::kYaml),
            "apiVersion: \"nexus-mde/v1\"\nkind: \"Sample\"\nnodes: 2\n");
}

TEST(Printout, TheBodyIsWrittenWhenPrintedSoItSeesTheLatestState) {
  int nodes = 1;
  Printout p("Sample");
  p.set_document([&nodes](DocumentWriter& w) { w.field("nodes", nodes); });
  nodes = 3;
  EXPECT_EQ(printed(p, OutputFormat::kJson),
            "{\"apiVersion\":\"nexus-mde/v1\",\"kind\":\"Sample\",\"nodes\":3}\n");
}

}  // namespace
}  // namespace nexus_mde::plugin
