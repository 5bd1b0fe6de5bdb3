#include "plugin/cluster/listing_printers.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/sys/time.hpp"
#include "plugin/output/cells.hpp"

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

std::vector<const ScanRecord*> newest_scans(const NodeSnapshot& s, std::size_t limit) {
  std::vector<const ScanRecord*> scans;
  for (const auto& scan : s.scans) scans.push_back(&scan);
  std::stable_sort(scans.begin(), scans.end(), [](const ScanRecord* a, const ScanRecord* b) {
    return a->start_ms.value_or(0) > b->start_ms.value_or(0);
  });
  if (limit > 0 && scans.size() > limit) scans.resize(limit);
  return scans;
}

std::vector<const Threat*> newest_threats(const NodeSnapshot& s) {
  std::vector<const Threat*> threats;
  for (const auto& t : s.threats) threats.push_back(&t);
  std::stable_sort(threats.begin(), threats.end(), [](const Threat* a, const Threat* b) {
    return a->detected_ms.value_or(0) > b->detected_ms.value_or(0);
  });
  return threats;
}

std::string duration_cell(const ScanRecord& s) {
  auto d = s.duration_ms();
  return d ? human_duration(*d) : kUnknownCell;
}

}  // namespace

void print_scans(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                 const ListingPrintOptions& o, std::ostream& out) {
  Printout printout("ScanHistory");
  printout.set_document(nodes_document(reports, summary, [&](const NodeReport& r, json::object& node) {
    if (!r.snapshot) {
      node["scans"] = nullptr;
      return;
    }
    json::array list;
    for (const ScanRecord* s : newest_scans(*r.snapshot, o.limit)) list.push_back(json::value_from(*s));
    node["scans"] = std::move(list);
  }));
  PrintedTable& table = printout.add_table(
      headers_for({"NODE", "TYPE", "STATE", "STARTED", "DURATION", "FILES", "THREATS"}, summary));
  table.when_empty = "No scans reported.";
  for (const auto& r : reports) {
    if (!r.snapshot) continue;
    for (const ScanRecord* s : newest_scans(*r.snapshot, o.limit)) {
      auto row = row_start(r, summary);
      auto script = row;
      row.insert(row.end(), {cell(s->type), cell(s->state), age_cell(s->start_ms, o.now_ms),
                             duration_cell(*s), cell(s->files_scanned), cell(s->threat_count)});
      script.insert(script.end(),
                    {cell(s->type), cell(s->state), time_cell(s->start_ms), time_cell(s->end_ms),
                     cell(s->duration_ms()), cell(s->files_scanned), cell(s->threat_count)});
      table.add(std::move(row), std::move(script));
    }
  }
  add_table_footer(printout, reports, summary, true);
  printout.print(o.format, out);
}

void print_threats(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                   const ListingPrintOptions& o, std::ostream& out) {
  Printout printout("ThreatList");
  printout.set_document(nodes_document(reports, summary, [&](const NodeReport& r, json::object& node) {
    node["threats"] = r.snapshot ? json::value_from(r.snapshot->threats) : json::value(nullptr);
    node["quarantine"] = r.snapshot ? json::value_from(r.snapshot->quarantine) : json::value(nullptr);
    mark_test_detections(node);
  }));
  // People see two tables; scripts one stream of both, node by node, each row saying which.
  PrintedTable& threats = printout.add_table(
      headers_for({"NODE", "THREAT", "TYPE", "STATUS", "PATH", "DETECTED"}, summary), Audience::kPeople);
  threats.when_empty = "No threats reported.";
  PrintedTable& quarantine = printout.add_table(
      headers_for({"NODE", "NAME", "TYPE", "PATH", "QUARANTINED"}, summary), Audience::kPeople);
  quarantine.title = "Quarantine:";
  PrintedTable& script = printout.add_table({}, Audience::kScripts);
  for (const auto& r : reports) {
    if (!r.snapshot) continue;
    for (const Threat* t : newest_threats(*r.snapshot)) {
      std::string status = cell(t->status) + (made_by_detection_test(t->name, t->path) ? " (test)" : "");
      auto row = row_start(r, summary);
      auto line = row;
      row.insert(row.end(),
                 {cell(t->name), cell(t->type), status, cell(t->path), age_cell(t->detected_ms, o.now_ms)});
      line.insert(line.end(),
                  {"threat", cell(t->name), cell(t->type), status, cell(t->path), time_cell(t->detected_ms)});
      threats.add(std::move(row));
      script.add(std::move(line));
    }
    for (const auto& q : r.snapshot->quarantine) {
      auto row = row_start(r, summary);
      auto line = row;
      row.insert(row.end(), {cell(q.name), cell(q.type), cell(q.path), age_cell(q.quarantined_ms, o.now_ms)});
      line.insert(line.end(), {"quarantine", cell(q.name), cell(q.type), "quarantined", cell(q.path),
                               time_cell(q.quarantined_ms)});
      quarantine.add(std::move(row));
      script.add(std::move(line));
    }
  }
  add_table_footer(printout, reports, summary, true);
  printout.print(o.format, out);
}

}  // namespace nexus_mde::plugin
