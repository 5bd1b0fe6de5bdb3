// `nexus-mde report FILE...`: the seed workflow's `jq .scanList`, `jq .threatInformation` and
// `date -d @…` steps, done right for any number of downloaded extracts.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/agent_information.hpp"
#include "plugin/exit_codes.hpp"
#include "plugin/output/format.hpp"
#include "plugin/report/extract_reader.hpp"

namespace nexus_mde::plugin {

struct ReportSummary {
  std::size_t files = 0;
  std::size_t reported = 0;
  std::size_t unreadable = 0;
  std::size_t scans = 0;
  std::size_t failed_scans = 0;
  std::size_t threats = 0;
  std::size_t quarantined = 0;
  std::size_t unhealthy = 0;

  bool has_findings() const { return threats > 0 || quarantined > 0 || failed_scans > 0 || unhealthy > 0; }
  // 1 findings (they matter most to a runbook), else 3 if a file could not be read, else 0.
  ExitCode exit_code() const;
  std::string line() const;  // "2 files: 2 reported, 0 unreadable; 4 scans, 1 threat, 1 quarantined"
};

// Adds one file's facts to the summary.
void count_into(ReportSummary& summary, const AgentInformation& info);

// Prints one format. Each file is printed as soon as it is read, so memory holds one file at most.
class ReportPrinter {
 public:
  virtual ~ReportPrinter() = default;
  virtual void file(const ExtractFile& file, const AgentInformation& info) = 0;
  virtual void failure(const std::string& source, const std::string& node, const Error& error) = 0;
  virtual void finish(const ReportSummary& summary) = 0;
};

std::unique_ptr<ReportPrinter> make_report_printer(OutputFormat format, std::ostream& out);

// Reads, parses and prints every file; problems with a file go to `err` (naming the file) and
// the other files still print. Returns the exit code.
ExitCode run_report(const std::vector<std::string>& paths, OutputFormat format, std::ostream& out, std::ostream& err);

}  // namespace nexus_mde::plugin
