#include "plugin/cluster/status_printer.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "plugin/output/cells.hpp"
#include "plugin/output/table.hpp"  // folded_names

namespace nexus_mde::plugin {

namespace json = boost::json;

namespace {

std::optional<std::int64_t> definitions_updated_ms(const NodeSnapshot& s) {
  if (!s.health) return std::nullopt;
  if (s.health->definitions_updated_ms) return s.health->definitions_updated_ms;
  if (s.health->definitions_updated_minutes_ago && s.collected_at_ms) {
    return s.collected_at_ms - *s.health->definitions_updated_minutes_ago * 60'000;
  }
  return std::nullopt;
}

std::string enforcement_cell(const EnforcementReading& e) {
  if (!e.level) return kUnknownCell;
  return std::string(to_string(*e.level)) + (e.inferred ? " (inferred)" : "");
}

// "1", or "0 +1 test" where the detection test made some of them.
std::string count_cell(std::size_t all, std::size_t test) {
  return std::to_string(all - test) + (test > 0 ? " +" + std::to_string(test) + " test" : "");
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// The cells after NODE, for people (ages) or scripts (RFC 3339).
std::vector<std::string> status_cells(const NodeReport& r, bool for_people, std::int64_t now_ms) {
  std::vector<std::string> c{std::string(to_string(r.outcome.state))};
  if (!r.snapshot) {
    c.insert(c.end(), for_people ? 7 : 10, kUnknownCell);
    c.push_back(r.outcome.reason);
    return c;
  }
  const NodeSnapshot& s = *r.snapshot;
  const Health* h = s.health ? &*s.health : nullptr;
  c.push_back(h ? flag_cell(h->healthy, "yes", "no") : kUnknownCell);
  c.push_back(enforcement_cell(s.enforcement));
  c.push_back(h ? flag_cell(h->real_time_protection_enabled, "on", "off") : kUnknownCell);
  auto updated = definitions_updated_ms(s);
  std::string version = h ? cell(h->definitions_version) : kUnknownCell;
  // mdatp's own word on its definitions, where it is anything but the usual up_to_date.
  if (h && h->definitions_status && *h->definitions_status != "up_to_date")
    version += " " + cell(h->definitions_status);
  const ScanRecord* scan = last_scan(s);
  if (for_people) {
    c.push_back(version + (updated ? " (" + human_age(*updated, now_ms) + ")" : ""));
    if (scan) {
      auto when = scan->end_ms ? scan->end_ms : scan->start_ms;
      c.push_back(cell(scan->type) + " " + cell(scan->state) + (when ? " " + human_age(*when, now_ms) : ""));
    } else {
      c.emplace_back(kNoneCell);
    }
  } else {
    c.push_back(version);
    c.push_back(time_cell(updated));
    c.push_back(scan ? cell(scan->type) : kUnknownCell);
    c.push_back(scan ? cell(scan->state) : kUnknownCell);
    c.push_back(scan ? time_cell(scan->end_ms ? scan->end_ms : scan->start_ms) : kUnknownCell);
  }
  // Without an agent (ARM's view) threats and quarantine are unknown, not zero.
  bool listed = r.source != "arm";
  c.push_back(listed ? count_cell(s.threats.size(), test_threats(s)) : kUnknownCell);
  c.push_back(listed ? count_cell(s.quarantine.size(), test_quarantine(s)) : kUnknownCell);
  // A node that answered through ARM only says why first.
  std::vector<std::string> detail = r.findings;
  if (r.outcome.state != ExchangeState::kOk && !r.outcome.reason.empty())
    detail.insert(detail.begin(), r.outcome.reason);
  c.push_back(detail.empty() ? (for_people ? kNoneCell : "") : join(detail, "; "));
  return c;
}

// For people; with --summary, identical healthy rows fold into one. Folding keeps each group
// where its first node was, and within its cluster.
void add_people_rows(Printout& printout, const std::vector<NodeReport>& reports,
                     const ClusterSummary& summary, const StatusPrintOptions& o) {
  PrintedTable& table =
      printout.add_table(headers_for({"NODE", "STATE", "HEALTHY", "ENFORCEMENT", "RTP", "DEFINITIONS",
                                      "LAST SCAN", "THREATS", "QUARANTINED", "DETAIL"},
                                     summary),
                         Audience::kPeople);
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> rows;  // (names, cells)
  for (const auto& r : reports) {
    auto cells = status_cells(r, true, o.now_ms);
    if (summary.fleet()) cells.insert(cells.begin(), r.node.cluster);
    bool foldable = o.fold_healthy && r.outcome.state == ExchangeState::kOk && r.findings.empty();
    if (foldable) {
      auto same =
          std::find_if(rows.begin(), rows.end(), [&](const auto& row) { return row.second == cells; });
      if (same != rows.end()) {
        same->first.push_back(r.node.name);
        continue;
      }
    }
    rows.push_back({{r.node.name}, std::move(cells)});
  }
  for (auto& [names, cells] : rows) {
    cells.insert(cells.begin() + (summary.fleet() ? 1 : 0), folded_names(names));
    table.add(std::move(cells));
  }
}

// For scripts: every node, never folded, times as RFC 3339.
void add_script_rows(Printout& printout, const std::vector<NodeReport>& reports,
                     const ClusterSummary& summary, const StatusPrintOptions& o) {
  PrintedTable& table = printout.add_table({}, Audience::kScripts);
  for (const auto& r : reports) {
    auto cells = status_cells(r, false, o.now_ms);
    auto start = row_start(r, summary);
    cells.insert(cells.begin(), start.begin(), start.end());
    table.add(std::move(cells));
  }
}

}  // namespace

void print_status(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                  const StatusPrintOptions& o, std::ostream& out) {
  Printout printout("Status");
  printout.set_document(nodes_document(reports, summary, [](const NodeReport& r, json::object& node) {
    node["snapshot"] = r.snapshot ? json::value_from(*r.snapshot) : json::value(nullptr);
    if (auto* snapshot = node["snapshot"].if_object()) mark_test_detections(*snapshot);
  }));
  add_people_rows(printout, reports, summary, o);
  add_script_rows(printout, reports, summary, o);
  add_table_footer(printout, reports, summary, false);
  printout.print(o.format, out);
}

}  // namespace nexus_mde::plugin
