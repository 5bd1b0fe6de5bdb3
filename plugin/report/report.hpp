// `nexus-mde report FILE...`: the seed workflow's `jq .scanList`, `jq .threatInformation` and
// `date -d @…` steps, done right for any number of downloaded extracts.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "common/mdatp/agent_information.hpp"
#include "common/model/model_builder.hpp"
#include "plugin/exit_codes.hpp"
#include "plugin/output/format.hpp"
#include "plugin/report/extract_reader.hpp"
#include "plugin/report/split_parse.hpp"

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

  FileCounts& operator+=(const FileCounts& other);
  void add(const ScanRecord& scan);
  void add(const Threat& threat);
  void add(const QuarantineEntry& entry);
  // Adds the file to the summary; `info` says which parts the file had, and its health.
  void into(ReportSummary& summary, const AgentInformation& info) const;
};

// A sink that counts a file's records as they stream by, then hands each on.
class CountingSink : public RecordSink {
 public:
  void scan(ScanRecord&& scan, std::string_view packed_raw) final;
  void threat(Threat&& threat, std::string_view packed_raw) final;
  void quarantine(QuarantineEntry&& entry) final;
  const FileCounts& counts() const { return counts_; }

 protected:
  virtual void on_scan(ScanRecord&& scan, std::string_view packed_raw) = 0;
  virtual void on_threat(Threat&& threat, std::string_view packed_raw) = 0;
  virtual void on_quarantine(QuarantineEntry&& entry) = 0;

  FileCounts counts_;
};

// The records of a part of the file read on another thread (split_parse.hpp). Made by the
// printer that will print them, it knows how to hand them over to it.
class ReportRegion : public CountingSink {
 public:
  // Gives its records to its printer, after the records the printer has already.
  virtual void merge() = 0;
};

// Prints one output format, a file at a time: begin_file, then the records as the parser reads
// them (RecordSink), then end_file with the rest of the file, or abandon_file when the file
// turned out unreadable (nothing of it is printed but the failure). Memory holds one file's
// output at most; the JSON printer holds only its serialized text.
class ReportPrinter : public CountingSink {
 public:
  void begin_file(const std::string& source, const std::string& node);
  void end_file(AgentInformation&& info, ReportSummary& summary);
  void abandon_file(const Error& error);
  virtual void finish(const ReportSummary& summary) = 0;

  // For a part of the file read on another thread (split_parse.hpp): a sink for its records.
  // By default it collects them as on_scan() and the rest do.
  virtual std::unique_ptr<ReportRegion> begin_region();
  // Takes the records of `region` (from this printer's begin_region) as if they had come now,
  // or drops them.
  void end_region(ReportRegion& region, bool take);

 protected:
  // By default records are collected and print() gets them in `info`'s lists (with their
  // unknown fields in objects: packed_raw is empty unless the printer takes_packed_raw()).
  void on_scan(ScanRecord&& scan, std::string_view /*packed_raw*/) override {
    scans_.push_back(std::move(scan));
  }
  void on_threat(Threat&& threat, std::string_view /*packed_raw*/) override {
    threats_.push_back(std::move(threat));
  }
  void on_quarantine(QuarantineEntry&& entry) override { quarantine_.push_back(std::move(entry)); }
  // After a region was taken or dropped: what the printer set up for it ends.
  virtual void on_region_ended() {}
  virtual void print(const ExtractFile& file, const AgentInformation& info) = 0;
  virtual void failure(const ExtractFile& file, const Error& error) = 0;
  virtual void discard() {}

  ExtractFile file_;  // the file being printed

 private:
  friend class CollectedRegion;
  std::vector<ScanRecord> scans_;
  std::vector<Threat> threats_;
  std::vector<QuarantineEntry> quarantine_;
};

std::unique_ptr<ReportPrinter> make_report_printer(OutputFormat format, std::ostream& out);

// Reads, parses and prints every file; problems with a file go to `err` (naming the file) and
// the other files still print. Returns the exit code. `split` says when a large file is read in
// two parts at once; `outcomes`, when given, gets how that went for each file.
ExitCode run_report(const std::vector<std::string>& paths, OutputFormat format, std::ostream& out,
                    std::ostream& err, const SplitOptions& split = {},
                    std::vector<SplitOutcome>* outcomes = nullptr);

}  // namespace nexus_mde::plugin
