#include "plugin/cluster/detection_printer.hpp"

#include <boost/json.hpp>

#include "common/sys/time.hpp"
#include "plugin/output/cells.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

void print_detection_results(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                             OutputFormat format, std::ostream& out) {
  Printout printout("DetectionTest");
  printout.set_document(nodes_document(reports, summary, [](const NodeReport& r, json::object& node) {
    node["detection"] = r.detection ? json::value_from(*r.detection) : json::value(nullptr);
  }));
  add_node_rows(printout, {"NODE", "STATE", "DETECTED", "THREAT", "ACTION", "TIME TO DETECT", "DETAIL"},
                reports, summary, [](const NodeReport& r) {
                  std::vector<std::string> row{std::string(to_string(r.outcome.state))};
                  const DetectionResult* d = r.detection ? &*r.detection : nullptr;
                  if (!d) {
                    row.insert(row.end(), 4, kUnknownCell);
                    row.push_back(r.outcome.reason);
                    return PrintedRow{std::move(row), {}};
                  }
                  row.insert(row.end(), {d->detected ? "yes" : "no", cell(d->threat), d->action});
                  std::vector<std::string> script = row;
                  row.push_back(d->time_to_detect_ms ? human_duration(*d->time_to_detect_ms)
                                                     : std::string(kUnknownCell));
                  script.push_back(cell(d->time_to_detect_ms));
                  for (auto* cells : {&row, &script})
                    cells->push_back(d->method + (d->error.empty() ? "" : ": " + d->error));
                  return PrintedRow{std::move(row), std::move(script)};
                });
  add_table_footer(printout, reports, summary, false);
  printout.print(format, out);
}

}  // namespace nexus_mde::plugin
