#include "plugin/cluster/node_report.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/sys/text.hpp"
#include "plugin/output/document_writer.hpp"
#include "plugin/output/natural_order.hpp"
#include "plugin/output/warnings.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

const ScanRecord* last_scan(const NodeSnapshot& s) {
  const ScanRecord* last = nullptr;
  for (const auto& scan : s.scans) {
    if (!last || scan.start_ms.value_or(0) >= last->start_ms.value_or(0)) last = &scan;
  }
  return last;
}

void mark_test_detections(json::object& o) {
  for (const char* list : {"threats", "quarantine"}) {
    auto* items = o.if_contains(list);
    if (!items || !items->is_array()) continue;
    for (auto& item : items->get_array()) {
      auto* entry = item.if_object();
      if (!entry) continue;
      auto text = [&](const char* key) -> std::optional<std::string> {
        const auto* v = entry->if_contains(key);
        return v && v->is_string() ? std::optional<std::string>(std::string(v->get_string())) : std::nullopt;
      };
      (*entry)["test"] = made_by_detection_test(text("name"), text("path"));
    }
  }
}

std::size_t test_threats(const NodeSnapshot& s) {
  return static_cast<std::size_t>(std::count_if(s.threats.begin(), s.threats.end(), [](const Threat& t) {
    return made_by_detection_test(t.name, t.path);
  }));
}

std::size_t test_quarantine(const NodeSnapshot& s) {
  return static_cast<std::size_t>(
      std::count_if(s.quarantine.begin(), s.quarantine.end(),
                    [](const QuarantineEntry& q) { return made_by_detection_test(q.name, q.path); }));
}

std::vector<std::string> findings_of(const NodeSnapshot& s, const FindingOptions& options) {
  std::vector<std::string> f;
  if (s.stale) {
    std::string why = s.errors.empty() ? std::string("mdatp did not answer")
                                       : s.errors.front().source + ": " + s.errors.front().message;
    f.push_back("stale: " + why);
  }
  if (s.health) {
    if (s.health->healthy == false) f.emplace_back("unhealthy");
    if (s.health->licensed == false) f.emplace_back("unlicensed");
    // mdatp's own verdict on its security intelligence. Only a documented failure is a finding;
    // a value nobody documented is shown and warned about (docs/formats.md), never counted.
    if (s.health->definitions_status == "update_failed") f.emplace_back("definitions update_failed");
  }
  std::size_t threats = s.threats.size() - (options.include_test_detections ? 0 : test_threats(s));
  std::size_t quarantined = s.quarantine.size() - (options.include_test_detections ? 0 : test_quarantine(s));
  if (threats > 0) f.push_back(plural(threats, "threat", "threats"));
  if (quarantined > 0) f.push_back(plural(quarantined, "quarantined item", "quarantined items"));
  if (const ScanRecord* scan = last_scan(s);
      scan && scan->state && (*scan->state == "failed" || *scan->state == "interrupted")) {
    f.push_back("last scan " + *scan->state);
  }
  if (!s.enforcement.consistent) f.push_back("enforcement inconsistent: " + s.enforcement.note);
  return f;
}

std::vector<std::string> findings_of(const ScanTrigger& scan) {
  std::vector<std::string> f;
  if (scan.state == "failed" || scan.state == "interrupted") {
    f.push_back("scan " + scan.state + (scan.error.empty() ? "" : ": " + scan.error));
  }
  if (scan.threats_detected.value_or(0) > 0) {
    f.push_back(
        plural(static_cast<std::size_t>(*scan.threats_detected), "threat detected", "threats detected"));
  }
  return f;
}

std::vector<std::string> findings_of(const DetectionResult& d) {
  if (d.detected) return {};
  return {"not detected" + (d.error.empty() ? std::string() : ": " + d.error)};
}

bool known_definitions_status(const std::string& status) {
  return status == "up_to_date" || status == "updating" || status == "update_failed";
}

void warn_about(const std::vector<NodeReport>& reports) {
  std::map<std::string, std::vector<std::string>> nodes_saying;  // sorted: the same order every run
  for (const auto& r : reports) {
    if (!r.snapshot) continue;
    for (const auto& w : r.snapshot->warnings)
      nodes_saying[w.source + ": " + w.message].push_back(r.node.name);
    const auto& h = r.snapshot->health;
    if (h && h->definitions_status && !known_definitions_status(*h->definitions_status)) {
      nodes_saying["definitions status \"" + *h->definitions_status +
                   "\" is not a value nexus-mde knows: shown as given, not counted as a finding"]
          .push_back(r.node.name);
    }
  }
  for (const auto& [message, nodes] : nodes_saying) warn_once(message, nodes);
}

void sort_naturally(std::vector<NodeReport>& reports) {
  std::stable_sort(reports.begin(), reports.end(), [](const NodeReport& a, const NodeReport& b) {
    if (a.node.cluster != b.node.cluster) return natural_less(a.node.cluster, b.node.cluster);
    return natural_less(a.node.name, b.node.name);
  });
}

ClusterSummary ClusterSummary::of(const std::vector<NodeReport>& reports, const FanOutResult& run,
                                  std::vector<ClusterGroup> clusters) {
  ClusterSummary s;
  s.clusters = std::move(clusters);
  for (const auto& r : reports) s.count(r);
  s.elapsed_ms = run.elapsed.count();
  s.deadline_passed = run.deadline_passed;
  return s;
}

void ClusterSummary::count(const NodeReport& r) {
  ++nodes;
  ++states[r.outcome.state];
  if (!r.findings.empty()) ++with_findings;
}

std::size_t ClusterSummary::clusters_not_read() const {
  return static_cast<std::size_t>(std::count_if(clusters.begin(), clusters.end(),
                                                [](const ClusterGroup& c) { return !c.failure.empty(); }));
}

ExitCode ClusterSummary::exit_code() const {
  if (with_findings > 0) return ExitCode::kFindings;
  if (not_ok() > 0 || clusters_not_read() > 0) return ExitCode::kIncomplete;
  return ExitCode::kClean;
}

std::string ClusterSummary::line() const {
  std::string out = plural(nodes, "node", "nodes");
  if (fleet()) {
    std::size_t read = clusters.size() - clusters_not_read();
    out += " in " + plural(read, "cluster", "clusters");
    if (clusters_not_read() > 0) out += " (" + std::to_string(clusters_not_read()) + " not read)";
  }
  out += ":";
  bool first = true;
  for (const auto& [state, n] : states) {
    out += (first ? " " : ", ") + std::to_string(n) + " " + std::string(to_string(state));
    first = false;
  }
  out += "; " + std::to_string(with_findings) + " with findings";
  auto tenths = (elapsed_ms + 50) / 100;
  out += "; " + std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
  if (deadline_passed) out += " (deadline passed)";
  return out;
}

// ---- shared by the commands' printers ----

json::object node_header_json(const NodeReport& r) {
  json::array findings;
  for (const auto& f : r.findings) findings.emplace_back(f);
  json::object o{{"node", r.node.name},
                 {"address", r.node.endpoint()},
                 {"state", to_string(r.outcome.state)},
                 {"reason", r.outcome.reason.empty() ? json::value(nullptr) : json::value(r.outcome.reason)},
                 {"latencyMs", r.outcome.latency.count()},
                 {"source", r.source.empty() ? json::value(nullptr) : json::value(r.source)},
                 {"findings", std::move(findings)}};
  if (!r.note.empty()) o["note"] = r.note;
  return o;
}

json::object summary_json(const ClusterSummary& s) {
  json::object states;
  for (const auto& [state, n] : s.states) states[to_string(state)] = n;
  json::object o{{"nodes", s.nodes},
                 {"states", std::move(states)},
                 {"withFindings", s.with_findings},
                 {"elapsedMs", s.elapsed_ms},
                 {"deadlinePassed", s.deadline_passed},
                 {"exitCode", to_int(s.exit_code())}};
  if (s.fleet()) {
    o["clusters"] = s.clusters.size() - s.clusters_not_read();
    o["clustersNotRead"] = s.clusters_not_read();
  }
  return o;
}

namespace {

void write_node_array(DocumentWriter& writer, const std::vector<const NodeReport*>& reports,
                      const std::function<void(const NodeReport&, json::object&)>& add) {
  writer.key("nodes");
  writer.begin_array();
  for (const NodeReport* r : reports) {
    json::object o = node_header_json(*r);
    add(*r, o);
    writer.value(o);
  }
  writer.end_array();
}

// Each cluster with its own nodes and summary; one ARM could not read has its error and no nodes.
void write_cluster_array(DocumentWriter& writer, const std::vector<NodeReport>& reports,
                         const ClusterSummary& summary,
                         const std::function<void(const NodeReport&, json::object&)>& add) {
  writer.key("clusters");
  writer.begin_array();
  for (const auto& c : summary.clusters) {
    writer.begin_object();
    writer.field("cluster", c.name.empty() ? json::value(nullptr) : json::value(c.name));
    writer.field("id", json::value(c.id));
    writer.field("subscription", json::value(c.subscription));
    writer.field("resourceGroup",
                 c.resource_group.empty() ? json::value(nullptr) : json::value(c.resource_group));
    writer.field("error", c.failure.empty() ? json::value(nullptr) : json::value(c.failure));
    std::vector<const NodeReport*> mine;
    ClusterSummary own;  // this cluster's part (its exit code counts its failure); the run's time
    own.clusters = {c};
    own.elapsed_ms = summary.elapsed_ms;
    own.deadline_passed = summary.deadline_passed;
    for (const auto& r : reports) {
      if (c.name.empty() || r.node.cluster != c.name) continue;
      mine.push_back(&r);
      own.count(r);
    }
    write_node_array(writer, mine, add);
    writer.field("summary", summary_json(own));
    writer.end_object();
  }
  writer.end_array();
}

void add_clusters_not_read(Printout& printout, const ClusterSummary& summary) {
  PrintedTable& failed = printout.add_table({"CLUSTER", "SUBSCRIPTION", "REASON"}, Audience::kPeople);
  failed.title = "Clusters not read:";
  for (const auto& c : summary.clusters) {
    if (!c.failure.empty()) failed.add({c.label(), c.subscription, c.failure});
  }
}

}  // namespace

Printout::Body nodes_document(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                              std::function<void(const NodeReport&, json::object&)> add) {
  return [&reports, &summary, add = std::move(add)](DocumentWriter& writer) {
    if (summary.fleet()) {
      write_cluster_array(writer, reports, summary, add);
    } else {
      std::vector<const NodeReport*> all;
      for (const auto& r : reports) all.push_back(&r);
      write_node_array(writer, all, add);
    }
    writer.field("summary", summary_json(summary));
  };
}

std::vector<std::string> row_start(const NodeReport& r, const ClusterSummary& summary) {
  if (summary.fleet()) return {r.node.cluster, r.node.name};
  return {r.node.name};
}

std::vector<std::string> headers_for(std::vector<std::string> headers, const ClusterSummary& summary) {
  if (summary.fleet()) headers.insert(headers.begin(), "CLUSTER");
  return headers;
}

PrintedTable& add_node_rows(Printout& printout, const std::vector<std::string>& headers,
                            const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                            const std::function<PrintedRow(const NodeReport&)>& row) {
  PrintedTable& table = printout.add_table(headers_for(headers, summary));
  for (const auto& r : reports) {
    PrintedRow cells = row(r);
    auto start = row_start(r, summary);
    cells.cells.insert(cells.cells.begin(), start.begin(), start.end());
    if (!cells.script.empty()) cells.script.insert(cells.script.begin(), start.begin(), start.end());
    table.rows.push_back(std::move(cells));
  }
  return table;
}

void add_table_footer(Printout& printout, const std::vector<NodeReport>& reports,
                      const ClusterSummary& summary, bool list_failures) {
  if (list_failures) {
    PrintedTable& failed =
        printout.add_table(headers_for({"NODE", "STATE", "LATENCY", "REASON"}, summary), Audience::kPeople);
    failed.title = "Not answered:";
    for (const auto& r : reports) {
      if (r.outcome.state == ExchangeState::kOk) continue;
      auto row = row_start(r, summary);
      row.insert(row.end(), {std::string(to_string(r.outcome.state)),
                             std::to_string(r.outcome.latency.count()) + " ms", r.outcome.reason});
      failed.add(std::move(row));
    }
  }
  add_clusters_not_read(printout, summary);
  printout.add_text("\n" + summary.line() + "\n");
}

}  // namespace nexus_mde::plugin
