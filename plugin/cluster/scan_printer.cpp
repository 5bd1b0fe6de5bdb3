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
  Printout printout("ScanRun");
  printout.set_document(nodes_document(reports, summary, [](const NodeReport& r, json::object& node) {
    node["scan"] = r.scan ? json::value_from(*r.scan) : json::value(nullptr);
  }));
  add_node_rows(printout, {"NODE", "STATE", "SCAN", "RESULT", "FILES", "THREATS", "DURATION", "DETAIL"},
                reports, summary, [](const NodeReport& r) {
                  std::vector<std::string> row{std::string(to_string(r.outcome.state))};
                  std::vector<std::string> script;
                  if (const ScanTrigger* t = r.scan ? &*r.scan : nullptr) {
                    row.insert(row.end(), {t->type + " " + t->id.substr(0, 8), t->state,
                                           cell(t->files_scanned), cell(t->threats_detected)});
                    auto d = duration_of(*t);
                    script = row;
                    row.push_back(d ? human_duration(*d) : std::string(kUnknownCell));
                    script.push_back(cell(d));
                  } else {
                    row.insert(row.end(), 5, kUnknownCell);
                  }
                  row.push_back(detail(r));
                  if (!script.empty()) script.push_back(row.back());
                  return PrintedRow{std::move(row), std::move(script)};
                });
  add_table_footer(printout, reports, summary, false);
  printout.print(format, out);
}

}  // namespace nexus_mde::plugin
