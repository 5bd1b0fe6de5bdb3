#include <gtest/gtest.h>

#include "plugin/report/report.hpp"

namespace nexus_mde::plugin {
namespace {

TEST(ReportSummary, ExitCodes) {
  ReportSummary clean;
  clean.files = clean.reported = 1;
  EXPECT_EQ(clean.exit_code(), ExitCode::kClean);
  ReportSummary unreadable = clean;
  unreadable.unreadable = 1;
  EXPECT_EQ(unreadable.exit_code(), ExitCode::kUsage);
  ReportSummary threats = unreadable;
  threats.threats = 1;
  EXPECT_EQ(threats.exit_code(), ExitCode::kFindings);  // findings outrank an unreadable file
  ReportSummary failed = clean;
  failed.failed_scans = 1;
  EXPECT_EQ(failed.exit_code(), ExitCode::kFindings);
}

TEST(ReportSummary, CountsUnknownsAsNothingAndFallsBackToScanCounts) {
  ReportSummary s;
  FileCounts counts;
  ScanRecord scan;
  scan.threat_count = 2;
  counts.add(scan);
  AgentInformation no_threat_list;
  counts.into(s, no_threat_list);
  EXPECT_EQ(s.threats, 2u);  // no threat list in the file: the scans' counts stand in
  AgentInformation with_threat_list;
  with_threat_list.threats.emplace();
  counts.into(s, with_threat_list);
  EXPECT_EQ(s.threats, 2u);  // the threat list, when present, is the authority (here: none)
  FileCounts empty;
  empty.into(s, AgentInformation{});
  EXPECT_EQ(s.line(), "0 files: 3 reported, 0 unreadable; 2 scans, 2 threats, 0 quarantined");
}

}  // namespace
}  // namespace nexus_mde::plugin
