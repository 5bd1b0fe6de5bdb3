#include "plugin/cluster/detection_printer.hpp"

#include <boost/json.hpp>

#include "common/sys/time.hpp"
#include "plugin/output/cells.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

void print_detection_results(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                             OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson || format == OutputFormat::kYaml) {
    return print_nodes_document(
        "DetectionTest", reports, summary, format, out, [](const NodeReport& r, json::object& node) {
          node["detection"] = r.detection ? json::value_from(*r.detection) : json::value(nullptr);
        });
  }
  print_node_rows({"NODE", "STATE", "DETECTED", "THREAT", "ACTION", "TIME TO DETECT", "DETAIL"}, reports,
                  summary, format, out, [format](const NodeReport& r) {
                    std::vector<std::string> row{std::string(to_string(r.outcome.state))};
                    if (const DetectionResult* d = r.detection ? &*r.detection : nullptr) {
                      row.emplace_back(d->detected ? "yes" : "no");
                      row.push_back(cell(d->threat));
                      row.push_back(d->action);
                      if (format == OutputFormat::kTsv)
                        row.push_back(cell(d->time_to_detect_ms));
                      else
                        row.push_back(d->time_to_detect_ms ? human_duration(*d->time_to_detect_ms)
                                                           : std::string(kUnknownCell));
                      row.push_back(d->method + (d->error.empty() ? "" : ": " + d->error));
                    } else {
                      row.insert(row.end(), 4, kUnknownCell);
                      row.push_back(r.outcome.reason);
                    }
                    return row;
                  });
}

}  // namespace nexus_mde::plugin
