// `nexus-mde report FILE...`: the seed workflow's `jq .scanList`, `jq .threatInformation` and
// `date -d @…` steps, done right for any number of downloaded extracts.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/agent_information.hpp"
#include "common/model_builder.hpp"
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

// One file's records, counted as they stream by.
struct FileCounts {
  std::size_t scans = 0;
  std::size_t failed_scans = 0;
  std::size_t scan_threats = 0;  // the scans' own threat counts
  std::size_t threats = 0;       // the threat list
  std::size_t quarantined = 0;

  void add(const ScanRecord& scan);
  void add(const Threat& threat);
  void add(const QuarantineEntry& entry);
  // Adds the file to the summary; `info` says which parts the file had, and its health.
  void into(ReportSummary& summary, const AgentInformation& info) const;
};

// Prints one output format, a file at a time: begin_file, then the records as the parser reads
// them (RecordSink), then end_file with the rest of the file, or abandon_file when the file
// turned out unreadable (nothing of it is printed but the failure). Memory holds one file's
// output at most; the JSON printer holds only its serialized text.
class ReportPrinter : public RecordSink {
 public:
  void begin_file(const std::string& source, const std::string& node);
  void scan(ScanRecord&& scan, std::string_view packed_raw) final;
  void threat(Threat&& threat, std::string_view packed_raw) final;
  void quarantine(QuarantineEntry&& entry) final;
  void end_file(AgentInformation&& info, ReportSummary& summary);
  void abandon_file(const Error& error);
  virtual void finish(const ReportSummary& summary) = 0;

 protected:
  // By default records are collected and print() gets them in `info`'s lists (with their
  // unknown fields in objects: packed_raw is empty unless the printer takes_packed_raw()).
  virtual void on_scan(ScanRecord&& scan, std::string_view /*packed_raw*/) { scans_.push_back(std::move(scan)); }
  virtual void on_threat(Threat&& threat, std::string_view /*packed_raw*/) { threats_.push_back(std::move(threat)); }
  virtual void on_quarantine(QuarantineEntry&& entry) { quarantine_.push_back(std::move(entry)); }
  virtual void print(const ExtractFile& file, const AgentInformation& info) = 0;
  virtual void failure(const ExtractFile& file, const Error& error) = 0;
  virtual void discard() {}

  ExtractFile file_;  // the file being printed

 private:
  FileCounts counts_;
  std::vector<ScanRecord> scans_;
  std::vector<Threat> threats_;
  std::vector<QuarantineEntry> quarantine_;
};

std::unique_ptr<ReportPrinter> make_report_printer(OutputFormat format, std::ostream& out);

// Reads, parses and prints every file; problems with a file go to `err` (naming the file) and
// the other files still print. Returns the exit code.
ExitCode run_report(const std::vector<std::string>& paths, OutputFormat format, std::ostream& out, std::ostream& err);

}  // namespace nexus_mde::plugin
