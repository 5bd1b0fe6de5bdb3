#include "plugin/report/report.hpp"

#include <memory>

#include "common/agent_information.hpp"

namespace nexus_mde::plugin {

ExitCode ReportSummary::exit_code() const {
  if (has_findings()) return ExitCode::kFindings;
  if (unreadable > 0) return ExitCode::kUsage;
  return ExitCode::kClean;
}

namespace {
std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}
}  // namespace

std::string ReportSummary::line() const {
  std::string s = plural(files, "file", "files") + ": " + std::to_string(reported) + " reported, " +
                  std::to_string(unreadable) + " unreadable; " + plural(scans, "scan", "scans");
  if (failed_scans) s += " (" + std::to_string(failed_scans) + " failed)";
  s += ", " + plural(threats, "threat", "threats") + ", " + std::to_string(quarantined) + " quarantined";
  if (unhealthy) s += ", " + std::to_string(unhealthy) + " unhealthy";
  return s;
}

void count_into(ReportSummary& summary, const AgentInformation& info) {
  ++summary.reported;
  std::size_t scan_threats = 0;
  if (info.scans) {
    summary.scans += info.scans->size();
    for (const auto& s : *info.scans) {
      if (s.state == "failed") ++summary.failed_scans;
      scan_threats += static_cast<std::size_t>(s.threat_count.value_or(0));
    }
  }
  // The threat list is the authority; scan records' counts stand in when it is missing.
  summary.threats += info.threats ? info.threats->size() : scan_threats;
  if (info.quarantine) summary.quarantined += info.quarantine->size();
  if (info.health && info.health->healthy == false) ++summary.unhealthy;
}

ExitCode run_report(const std::vector<std::string>& paths, OutputFormat format, std::ostream& out, std::ostream& err) {
  auto printer = make_report_printer(format, out);
  ReportSummary summary;
  for (const auto& path : paths) {
    ++summary.files;
    std::string node = node_name_from_path(path);
    // The file streams into the parser chunk by chunk: a large extract is never held as text.
    AgentInformationParser parser(kAgentInformationFile);
    auto read = stream_extract(path, [&](std::string_view chunk) { return parser.write(chunk); });
    if (!read) {
      ++summary.unreadable;
      err << "nexus-mde: report: " << path << ": " << read.error().describe() << "\n";
      printer->failure(path, node, read.error());
      continue;
    }
    auto info = parser.finish();
    if (!info) {
      ++summary.unreadable;
      err << "nexus-mde: report: " << path << ": " << info.error().describe() << "\n";
      printer->failure(path, node, info.error());
      continue;
    }
    count_into(summary, *info);
    printer->file(ExtractFile{path, node, {}}, *info);
  }
  printer->finish(summary);
  return summary.exit_code();
}

}  // namespace nexus_mde::plugin
