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
  AgentInformation info;
  ReportSummary s;
  count_into(s, info);
  EXPECT_EQ(s.threats, 0u);
  ScanRecord scan;
  scan.threat_count = 2;
  info.scans = std::vector<ScanRecord>{scan};
  count_into(s, info);
  EXPECT_EQ(s.threats, 2u);  // no threat list in the file: the scans' counts stand in
  info.threats = std::vector<Threat>{};
  count_into(s, info);
  EXPECT_EQ(s.threats, 2u);  // the threat list, when present, is the authority
  EXPECT_EQ(s.line(), "0 files: 3 reported, 0 unreadable; 2 scans, 2 threats, 0 quarantined");
}

}  // namespace
}  // namespace nexus_mde::plugin
