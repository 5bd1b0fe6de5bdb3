// One node's part of a cluster-wide answer, what counts as a finding, and the run's summary
// with its exit code: 1 findings, else 2 incomplete (a node not reached), else 0; 4 when a
// wait ran out of deadline.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/model/detection_result.hpp"
#include "common/model/model.hpp"
#include "common/model/scan_trigger.hpp"
#include "plugin/exit_codes.hpp"
#include "plugin/fanout/fan_out.hpp"
#include "plugin/finding_options.hpp"
#include "plugin/inventory/inventory.hpp"
#include "plugin/output/printout.hpp"

namespace nexus_mde::plugin {

struct NodeReport {
  Node node;
  ExchangeOutcome outcome;
  std::optional<NodeSnapshot> snapshot;      // when the agent's answer parsed (status, scans, threats)
  std::optional<ScanTrigger> scan;           // the scan triggered or joined (scan)
  std::optional<DetectionResult> detection;  // the detection test's outcome (test-detection)
  std::vector<std::string> findings;         // "unhealthy", "2 threats", "stale: …"
  std::string note;  // worth saying, not a finding ("joined the scan already running")
  // Where the snapshot came from: "agent", or "arm" (runtimeProtectionStatus, when no agent
  // answered); empty without one.
  std::string source;
};

// The newest scan by start time (mdatp lists oldest first, but that is not relied on).
const ScanRecord* last_scan(const NodeSnapshot& snapshot);

// What in a snapshot needs a person: unhealthy or unlicensed MDE, threats, quarantined items,
// a failed last scan, a stale snapshot (mdatp not answering), inconsistent enforcement. The
// detection test's own EICAR file is not a finding unless asked (made_by_detection_test).
std::vector<std::string> findings_of(const NodeSnapshot& snapshot, const FindingOptions& options = {});

// Adds "test": true or false to each entry of a JSON node's or snapshot's "threats" and
// "quarantine" lists: whether the detection test made it.
void mark_test_detections(boost::json::object& node_or_snapshot);

// How many of the snapshot's threats and quarantined items the detection test made.
std::size_t test_threats(const NodeSnapshot& snapshot);
std::size_t test_quarantine(const NodeSnapshot& snapshot);

// A triggered scan that failed, was interrupted or found threats.
std::vector<std::string> findings_of(const ScanTrigger& scan);

// A detection test that did not prove detection.
std::vector<std::string> findings_of(const DetectionResult& detection);

// The definitions_status values mdatp is known to print (docs/formats.md): up_to_date, updating,
// update_failed. Anything else is shown as given and warned about, never a finding.
bool known_definitions_status(const std::string& status);

// What the CLI cannot vouch for in these snapshots: the agents' own warnings (a line mdatp
// printed that could not be read, a field of an unexpected type) and values nexus-mde does not
// know. Each is said once per run on stderr, with the nodes it was seen on (plugin/output/warnings).
void warn_about(const std::vector<NodeReport>& reports);

// Sorted by cluster, then node name, in natural order (r2 before r10).
void sort_naturally(std::vector<NodeReport>& reports);

// One cluster of a run over several (--cluster repeated, --all-clusters); its nodes carry its name.
struct ClusterGroup {
  std::string name;  // empty: a subscription whose machines could not be listed
  std::string id;
  std::string subscription;
  std::string resource_group;
  std::string failure;  // why ARM could not be read (then it has no nodes); empty when it was

  std::string label() const { return name.empty() ? "subscription " + subscription : name; }
};

struct ClusterSummary {
  std::size_t nodes = 0;
  std::vector<ClusterGroup> clusters;  // a run over several clusters; empty for one cluster or a list
  std::map<ExchangeState, std::size_t> states;
  std::size_t with_findings = 0;
  std::int64_t elapsed_ms = 0;
  bool deadline_passed = false;

  static ClusterSummary of(const std::vector<NodeReport>& reports, const FanOutResult& run,
                           std::vector<ClusterGroup> clusters = {});
  void count(const NodeReport& report);  // one more node, with its state and findings
  std::size_t not_ok() const {
    return nodes - (states.count(ExchangeState::kOk) ? states.at(ExchangeState::kOk) : 0);
  }
  bool fleet() const { return !clusters.empty(); }
  std::size_t clusters_not_read() const;
  // 1 findings; 2 a node not answering or a cluster not read; else 0.
  ExitCode exit_code() const;
  // "16 nodes: 13 ok, 1 unreachable, 2 timeout; 2 with findings; 0.84 s", after
  // "in 10 clusters (2 not read)" for a fleet.
  std::string line() const;
};

// ---- shared by the commands' printers ----

// {"node","address","state","reason","latencyMs","findings"[,"note"]} for json/yaml.
boost::json::object node_header_json(const NodeReport& report);
// {"nodes","states":{…},"withFindings","elapsedMs","deadlinePassed","exitCode"}
boost::json::object summary_json(const ClusterSummary& summary);
// json/yaml: {"apiVersion","kind","nodes":[…],"summary":{…}}: each node's header plus what `add`
// puts in it. A fleet has "clusters":[{"cluster","id","subscription","resourceGroup","error",
// "nodes":[…],"summary"}] in place of "nodes". The body refers to `reports` and `summary`.
Printout::Body nodes_document(const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                              std::function<void(const NodeReport&, boost::json::object&)> add);
// A row's first cells: CLUSTER (for a fleet) and NODE; the headers get CLUSTER in front to match.
std::vector<std::string> row_start(const NodeReport& report, const ClusterSummary& summary);
std::vector<std::string> headers_for(std::vector<std::string> headers, const ClusterSummary& summary);

// One row per node from `row` (the cells after NODE); a fleet's rows start with CLUSTER.
PrintedTable& add_node_rows(Printout& printout, const std::vector<std::string>& headers,
                            const std::vector<NodeReport>& reports, const ClusterSummary& summary,
                            const std::function<PrintedRow(const NodeReport&)>& row);
// For people: the nodes that did not answer (NODE STATE LATENCY REASON), if any and asked for,
// the clusters ARM could not read, then the summary line. Scripts get none of it: their rows
// carry the state themselves.
void add_table_footer(Printout& printout, const std::vector<NodeReport>& reports,
                      const ClusterSummary& summary, bool list_failures);

}  // namespace nexus_mde::plugin
