#include "plugin/cluster/listing_printers.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "common/sys/time.hpp"
#include "plugin/output/cells.hpp"
#include "plugin/output/table.hpp"

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
  if (o.format == OutputFormat::kJson || o.format == OutputFormat::kYaml) {
    return print_nodes_document("ScanHistory", reports, summary, o.format, out,
                                [&](const NodeReport& r, json::object& node) {
                                  if (!r.snapshot) {
                                    node["scans"] = nullptr;
                                    return;
                                  }
                                  json::array list;
                                  for (const ScanRecord* s : newest_scans(*r.snapshot, o.limit))
                                    list.push_back(json::value_from(*s));
                                  node["scans"] = std::move(list);
                                });
  }
  Table table(headers_for({"NODE", "TYPE", "STATE", "STARTED", "DURATION", "FILES", "THREATS"}, summary));
  for (const auto& r : reports) {
    if (!r.snapshot) continue;
    for (const ScanRecord* s : newest_scans(*r.snapshot, o.limit)) {
      auto row = row_start(r, summary);
      if (o.format == OutputFormat::kTsv) {
        row.insert(row.end(), {cell(s->type), cell(s->state), time_cell(s->start_ms), time_cell(s->end_ms),
                               cell(s->duration_ms()), cell(s->files_scanned), cell(s->threat_count)});
        write_tsv_row(out, row);
      } else {
        row.insert(row.end(), {cell(s->type), cell(s->state), age_cell(s->start_ms, o.now_ms),
                               duration_cell(*s), cell(s->files_scanned), cell(s->threat_count)});
        table.add_row(std::move(row));
      }
    }
  }
  if (o.format == OutputFormat::kTsv) return out.flush(), void();
  if (table.empty())
    out << "No scans reported.\n";
  else
    table.print(out);
  print_table_footer(reports, summary, true, out);
}

void print_threats(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                   const ListingPrintOptions& o, std::ostream& out) {
  if (o.format == OutputFormat::kJson || o.format == OutputFormat::kYaml) {
    return print_nodes_document(
        "ThreatList", reports, summary, o.format, out, [&](const NodeReport& r, json::object& node) {
          node["threats"] = r.snapshot ? json::value_from(r.snapshot->threats) : json::value(nullptr);
          node["quarantine"] = r.snapshot ? json::value_from(r.snapshot->quarantine) : json::value(nullptr);
          mark_test_detections(node);
        });
  }
  Table threats(headers_for({"NODE", "THREAT", "TYPE", "STATUS", "PATH", "DETECTED"}, summary));
  Table quarantine(headers_for({"NODE", "NAME", "TYPE", "PATH", "QUARANTINED"}, summary));
  for (const auto& r : reports) {
    if (!r.snapshot) continue;
    for (const Threat* t : newest_threats(*r.snapshot)) {
      std::string status = cell(t->status) + (made_by_detection_test(t->name, t->path) ? " (test)" : "");
      auto row = row_start(r, summary);
      if (o.format == OutputFormat::kTsv) {
        row.insert(row.end(), {"threat", cell(t->name), cell(t->type), status, cell(t->path),
                               time_cell(t->detected_ms)});
        write_tsv_row(out, row);
      } else {
        row.insert(row.end(),
                   {cell(t->name), cell(t->type), status, cell(t->path), age_cell(t->detected_ms, o.now_ms)});
        threats.add_row(std::move(row));
      }
    }
    for (const auto& q : r.snapshot->quarantine) {
      auto row = row_start(r, summary);
      if (o.format == OutputFormat::kTsv) {
        row.insert(row.end(), {"quarantine", cell(q.name), cell(q.type), "quarantined", cell(q.path),
                               time_cell(q.quarantined_ms)});
        write_tsv_row(out, row);
      } else {
        row.insert(row.end(),
                   {cell(q.name), cell(q.type), cell(q.path), age_cell(q.quarantined_ms, o.now_ms)});
        quarantine.add_row(std::move(row));
      }
    }
  }
  if (o.format == OutputFormat::kTsv) return out.flush(), void();
  if (threats.empty())
    out << "No threats reported.\n";
  else
    threats.print(out);
  if (!quarantine.empty()) {
    out << "\nQuarantine:\n";
    quarantine.print(out);
  }
  print_table_footer(reports, summary, true, out);
}

}  // namespace nexus_mde::plugin
