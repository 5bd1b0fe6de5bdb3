#include "plugin/report/report.hpp"

#include "common/sys/text.hpp"

#include <iterator>
#include <memory>

#include "common/mdatp/agent_information.hpp"

namespace nexus_mde::plugin {

ExitCode ReportSummary::exit_code() const {
  if (has_findings()) return ExitCode::kFindings;
  if (unreadable > 0) return ExitCode::kUsage;
  return ExitCode::kClean;
}

std::string ReportSummary::line() const {
  std::string s = plural(files, "file", "files") + ": " + std::to_string(reported) + " reported, " +
                  std::to_string(unreadable) + " unreadable; " + plural(scans, "scan", "scans");
  if (failed_scans) s += " (" + std::to_string(failed_scans) + " failed)";
  s += ", " + plural(threats, "threat", "threats") + ", " + std::to_string(quarantined) + " quarantined";
  if (unhealthy) s += ", " + std::to_string(unhealthy) + " unhealthy";
  return s;
}

FileCounts& FileCounts::operator+=(const FileCounts& other) {
  scans += other.scans;
  failed_scans += other.failed_scans;
  scan_threats += other.scan_threats;
  threats += other.threats;
  quarantined += other.quarantined;
  return *this;
}

void FileCounts::add(const ScanRecord& scan) {
  ++scans;
  if (scan.state == "failed") ++failed_scans;
  scan_threats += static_cast<std::size_t>(scan.threat_count.value_or(0));
}

void FileCounts::add(const Threat&) { ++threats; }
void FileCounts::add(const QuarantineEntry&) { ++quarantined; }

void FileCounts::into(ReportSummary& summary, const AgentInformation& info) const {
  ++summary.reported;
  summary.scans += scans;
  summary.failed_scans += failed_scans;
  // The threat list is the authority; the scans' counts stand in when the file has none.
  summary.threats += info.threats ? threats : scan_threats;
  summary.quarantined += quarantined;
  if (info.health && info.health->healthy == false) ++summary.unhealthy;
}

void ReportPrinter::begin_file(const std::string& source, const std::string& node) {
  // The previous file ended in end_file or abandon_file, which leave nothing behind.
  file_ = ExtractFile{source, node};
  counts_ = {};
}

void CountingSink::scan(ScanRecord&& scan, std::string_view packed_raw) {
  counts_.add(scan);
  on_scan(std::move(scan), packed_raw);
}

void CountingSink::threat(Threat&& threat, std::string_view packed_raw) {
  counts_.add(threat);
  on_threat(std::move(threat), packed_raw);
}

void CountingSink::quarantine(QuarantineEntry&& entry) {
  counts_.add(entry);
  on_quarantine(std::move(entry));
}

namespace {

template <typename T>
void append(std::vector<T>& to, std::vector<T>&& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

// The default region: records collected as ReportPrinter collects them, appended to its lists.
class CollectedRegion final : public ReportRegion {
 public:
  explicit CollectedRegion(ReportPrinter& printer) : printer_(printer) {}
  void merge() override {
    append(printer_.scans_, std::move(scans_));
    append(printer_.threats_, std::move(threats_));
    append(printer_.quarantine_, std::move(quarantine_));
  }

 protected:
  void on_scan(ScanRecord&& scan, std::string_view) override { scans_.push_back(std::move(scan)); }
  void on_threat(Threat&& threat, std::string_view) override { threats_.push_back(std::move(threat)); }
  void on_quarantine(QuarantineEntry&& entry) override { quarantine_.push_back(std::move(entry)); }

 private:
  ReportPrinter& printer_;
  std::vector<ScanRecord> scans_;
  std::vector<Threat> threats_;
  std::vector<QuarantineEntry> quarantine_;
};

std::unique_ptr<ReportRegion> ReportPrinter::begin_region() {
  return std::make_unique<CollectedRegion>(*this);
}

void ReportPrinter::end_region(ReportRegion& region, bool take) {
  if (take) {
    counts_ += region.counts();
    region.merge();
  }
  on_region_ended();
}

void ReportPrinter::end_file(AgentInformation&& info, ReportSummary& summary) {
  counts_.into(summary, info);
  // The parser left the lists present-but-empty where the file has them: fill in what was collected.
  if (info.scans) info.scans = std::move(scans_);
  if (info.threats) info.threats = std::move(threats_);
  if (info.quarantine) info.quarantine = std::move(quarantine_);
  print(file_, info);
  scans_.clear();
  threats_.clear();
  quarantine_.clear();
}

void ReportPrinter::abandon_file(const Error& error) {
  discard();
  scans_.clear();
  threats_.clear();
  quarantine_.clear();
  failure(file_, error);
}

ExitCode run_report(const std::vector<std::string>& paths, OutputFormat format, std::ostream& out,
                    std::ostream& err, const SplitOptions& split, std::vector<SplitOutcome>* outcomes) {
  auto printer = make_report_printer(format, out);
  ReportSummary summary;
  for (const auto& path : paths) {
    ++summary.files;
    std::string node = node_name_from_path(path);
    // The file streams into the parser chunk by chunk, and its records into the printer as they
    // are read: a large extract is never held whole, as text or as a model.
    printer->begin_file(path, node);
    AgentInformationParser parser(kAgentInformationFile, printer.get());
    SplitOutcome outcome = SplitOutcome::kNotTried;
    auto read = stream_extract_split(path, parser, *printer, split, outcome);
    if (outcomes) outcomes->push_back(outcome);
    auto info = read ? parser.finish() : Result<AgentInformation>(read.error());
    if (!info) {
      ++summary.unreadable;
      err << "nexus-mde: report: " << path << ": " << info.error().describe() << "\n";
      printer->abandon_file(info.error());
      continue;
    }
    printer->end_file(std::move(*info), summary);
  }
  printer->finish(summary);
  return summary.exit_code();
}

}  // namespace nexus_mde::plugin
