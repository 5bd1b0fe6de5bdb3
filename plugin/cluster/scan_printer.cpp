#include "plugin/cluster/scan_printer.hpp"

#include <boost/json.hpp>

#include "common/sys/time.hpp"
#include "plugin/output/cells.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

std::optional<std::int64_t> duration_of(const ScanTrigger& t) {
  if (!t.ended_at_ms) return std::nullopt;
  return *t.ended_at_ms - t.requested_at_ms;
}

std::string detail(const NodeReport& r) {
  std::string d = r.outcome.reason;
  if (!r.note.empty()) d += (d.empty() ? "" : "; ") + r.note;
  for (const auto& f : r.findings) d += (d.empty() ? "" : "; ") + f;
  if (r.scan && r.scan->state == "running") d += std::string(d.empty() ? "" : "; ") + "still running";
  return d;
}

}  // namespace

void print_scan_results(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                        OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml) {
    print_nodes_document("ScanRun", reports, summary, format, out,
                         [](const NodeReport& r, json::object& node) {
                           node["scan"] = r.scan ? json::value_from(*r.scan) : json::value(nullptr);
                         });
    return;
  }
  print_node_rows({"NODE", "STATE", "SCAN", "RESULT", "FILES", "THREATS", "DURATION", "DETAIL"}, reports,
                  summary, format, out, [format](const NodeReport& r) {
                    std::vector<std::string> row{std::string(to_string(r.outcome.state))};
                    if (const ScanTrigger* t = r.scan ? &*r.scan : nullptr) {
                      row.push_back(t->type + " " + t->id.substr(0, 8));
                      row.push_back(t->state);
                      row.push_back(cell(t->files_scanned));
                      row.push_back(cell(t->threats_detected));
                      auto d = duration_of(*t);
                      row.push_back(format == OutputFormat::kTsv
                                        ? cell(d)
                                        : (d ? human_duration(*d) : std::string(kUnknownCell)));
                    } else {
                      row.insert(row.end(), 5, kUnknownCell);
                    }
                    row.push_back(detail(r));
                    return row;
                  });
}

}  // namespace nexus_mde::plugin
