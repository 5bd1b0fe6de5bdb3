// The cluster commands' building blocks: inventory parsing, natural order, findings, exit codes,
// and the status/scan output in every format against golden files (fixed clock, synthetic nodes).
// Set NEXUS_MDE_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "plugin/cluster/listing_printers.hpp"
#include "plugin/cluster/node_report.hpp"
#include "plugin/cluster/scan_printer.hpp"
#include "plugin/cluster/status_printer.hpp"
#include "plugin/fanout/conversation.hpp"
#include "plugin/inventory/inventory.hpp"
#include "plugin/output/natural_order.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde::plugin {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1763913600000;  // 2025-11-23T16:00:00Z

void expect_golden(const std::string& name, const std::string& actual) {
  fs::path golden = fs::path(NEXUS_MDE_UNIT_GOLDEN) / name;
  if (const char* update = std::getenv("NEXUS_MDE_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    testing::write_file(golden, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; NEXUS_MDE_UPDATE_GOLDEN=1 writes it";
  EXPECT_EQ(actual, testing::read_file(golden)) << name;
}

TEST(Inventory, NodeSpecs) {
  auto plain = parse_node_spec("r01=10.1.2.3");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name, "r01");
  EXPECT_EQ(plain->host, "10.1.2.3");
  EXPECT_EQ(plain->port, 9448);
  auto with_port = parse_node_spec("r02=bmm2.example:19448");
  ASSERT_TRUE(with_port.ok());
  EXPECT_EQ(with_port->host, "bmm2.example");
  EXPECT_EQ(with_port->port, 19448);
  auto v6 = parse_node_spec("r03=[fd00::5]:9449");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "fd00::5");
  EXPECT_EQ(v6->endpoint(), "[fd00::5]:9449");
  auto bare_v6 = parse_node_spec("r04=fd00::6");
  ASSERT_TRUE(bare_v6.ok());
  EXPECT_EQ(bare_v6->host, "fd00::6");
  EXPECT_EQ(bare_v6->port, 9448);
  for (const char* bad : {"r01", "=10.0.0.1", "r 1=10.0.0.1", "r01=", "r01=10.0.0.1:", "r01=10.0.0.1:65536",
                          "r01=10.0.0.1:x", "r01=[fd00::5", "r01=[fd00::5]x", "r01=a b"}) {
    auto r = parse_node_spec(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().field, std::string("--node ") + bad);
    }
  }
  InventoryOptions dup;
  dup.node_specs = {"a=10.0.0.1", "a=10.0.0.2"};
  auto d = resolve_inventory(dup);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().describe().find("\"a\" is listed twice"), std::string::npos) << d.error().describe();
}

TEST(NaturalOrder, DigitRunsCompareAsNumbers) {
  std::vector<std::string> names{"r10", "r2", "r1c10", "r1c2", "a", "r02", "r1"};
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return natural_less(a, b); });
  EXPECT_EQ(names, (std::vector<std::string>{"a", "r1", "r1c2", "r1c10", "r2", "r02", "r10"}));
  EXPECT_FALSE(natural_less("r1", "r1"));
}

TEST(HttpFailures, AreClassifiedByStatusAndBody) {
  EXPECT_FALSE(classify_http_failure({200, "{}", {}}).has_value());
  auto unauthorized =
      classify_http_failure({401, R"({"error":{"code":"unauthorized","message":"no credentials"}})", {}});
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->state, ExchangeState::kAuthError);
  EXPECT_EQ(unauthorized->reason, "HTTP 401 unauthorized: no credentials");
  EXPECT_EQ(classify_http_failure({429, "", {}})->state, ExchangeState::kAuthError);
  EXPECT_EQ(classify_http_failure({503, R"({"error":{"code":"not_ready","message":"m"}})", {}})->state,
            ExchangeState::kAgentError);
  auto proxy = classify_http_failure({502, "<html>Bad Gateway</html>", {}});
  EXPECT_EQ(proxy->state, ExchangeState::kHttpError);
  EXPECT_EQ(proxy->reason, "HTTP 502: <html>Bad Gateway</html>");
  EXPECT_EQ(agent_error_code(R"({"error":{"code":"scan_running","message":"m"}})"), "scan_running");
}

// r10 healthy, r2 healthy (same cells as r10), r3 with a threat and a failed scan, r4 stale,
// r11 unreachable.
std::vector<NodeReport> sample_cluster() {
  auto healthy = [](const std::string& name) {
    NodeSnapshot s;
    s.node = name;
    Health h;
    h.healthy = true;
    h.licensed = true;
    h.real_time_protection_enabled = true;
    h.definitions_version = "1.401.12.0";
    h.definitions_updated_ms = kNow - 3 * 3600 * 1000;
    s.health = h;
    s.enforcement = read_enforcement({true, std::string("real_time"), true, false});
    ScanRecord scan;
    scan.type = "quick";
    scan.state = "succeeded";
    scan.start_ms = kNow - 2 * 3600 * 1000;
    scan.end_ms = *scan.start_ms + 61'000;
    scan.files_scanned = 1750;
    scan.threat_count = 0;
    s.scans.push_back(scan);
    s.collected_at_ms = kNow - 5000;
    return s;
  };
  auto node = [](const std::string& name, const std::string& host) {
    return Node{name, host, 9448, "--node " + name, {}};
  };
  auto ok = [](std::int64_t ms) {
    ExchangeOutcome o;
    o.state = ExchangeState::kOk;
    o.latency = std::chrono::milliseconds(ms);
    return o;
  };
  std::vector<NodeReport> reports;
  reports.push_back(
      {node("r10", "10.0.0.10"), ok(12), healthy("r10"), std::nullopt, std::nullopt, {}, {}, "agent"});
  reports.push_back(
      {node("r2", "10.0.0.2"), ok(9), healthy("r2"), std::nullopt, std::nullopt, {}, {}, "agent"});
  auto infected = healthy("r3");
  Threat t;
  t.name = "Virus:DOS/EICAR_Test_File";
  t.type = "virus";
  t.status = "quarantined";
  t.path = "/tmp/eicar.com";
  t.detected_ms = kNow - 600'000;
  infected.threats.push_back(t);
  infected.scans.front().state = "failed";
  reports.push_back({node("r3", "10.0.0.3"), ok(15), infected, std::nullopt, std::nullopt, {}, {}, "agent"});
  auto stale = healthy("r4");
  stale.stale = true;
  stale.errors.push_back({"health", "mdatp health: timed out after 30000 ms"});
  reports.push_back({node("r4", "10.0.0.4"), ok(5003), stale, std::nullopt, std::nullopt, {}, {}, "agent"});
  ExchangeOutcome down;
  down.state = ExchangeState::kUnreachable;
  down.reason = "cannot connect to 10.0.0.11:9448: Connection refused";
  down.latency = std::chrono::milliseconds(1);
  reports.push_back({node("r11", "10.0.0.11"), down, std::nullopt, std::nullopt, std::nullopt, {}, {}, {}});
  for (auto& r : reports) {
    if (r.snapshot) r.findings = findings_of(*r.snapshot);
  }
  sort_naturally(reports);
  return reports;
}

FanOutResult run_of(const std::vector<NodeReport>& reports) {
  FanOutResult run;
  for (const auto& r : reports) run.outcomes.push_back(r.outcome);
  run.elapsed = std::chrono::milliseconds(843);
  return run;
}

TEST(ClusterSummary, FindingsOutrankUnreachedNodes) {
  auto reports = sample_cluster();
  std::vector<std::string> order;
  for (const auto& r : reports) order.push_back(r.node.name);
  EXPECT_EQ(order, (std::vector<std::string>{"r2", "r3", "r4", "r10", "r11"}));
  EXPECT_EQ(reports[1].findings, (std::vector<std::string>{"1 threat", "last scan failed"}));
  auto summary = ClusterSummary::of(reports, run_of(reports));
  EXPECT_EQ(summary.exit_code(), ExitCode::kFindings);
  EXPECT_EQ(summary.line(), "5 nodes: 4 ok, 1 unreachable; 2 with findings; 0.8 s");
  // mdatp's definitions verdict: update_failed is a finding; up_to_date and updating are fine; a
  // value nobody documented is shown and warned about, never a finding.
  auto outdated = *reports[0].snapshot;
  outdated.health->definitions_status = "update_failed";
  EXPECT_EQ(findings_of(outdated), (std::vector<std::string>{"definitions update_failed"}));
  outdated.health->definitions_status = "updating";
  EXPECT_TRUE(findings_of(outdated).empty());
  outdated.health->definitions_status = "outdated";
  EXPECT_TRUE(findings_of(outdated).empty());
  EXPECT_FALSE(known_definitions_status("outdated"));
  std::vector<NodeReport> unreached{reports[0], reports[4]};
  EXPECT_EQ(ClusterSummary::of(unreached, run_of(unreached)).exit_code(), ExitCode::kIncomplete);
  std::vector<NodeReport> clean{reports[0], reports[3]};
  clean[1].findings.clear();
  EXPECT_EQ(ClusterSummary::of(clean, run_of(clean)).exit_code(), ExitCode::kClean);
}

TEST(StatusOutput, EveryFormatMatchesItsGoldenFile) {
  auto reports = sample_cluster();
  auto summary = ClusterSummary::of(reports, run_of(reports));
  for (auto [format, name] :
       {std::pair{OutputFormat::kTable, "status.table.txt"}, std::pair{OutputFormat::kJson, "status.json"},
        std::pair{OutputFormat::kYaml, "status.yaml"}, std::pair{OutputFormat::kTsv, "status.tsv"}}) {
    std::ostringstream out;
    print_status(reports, summary, {format, false, kNow}, out);
    expect_golden(name, out.str());
  }
  std::ostringstream folded;
  print_status(reports, summary, {OutputFormat::kTable, true, kNow}, folded);
  expect_golden("status.summary.txt", folded.str());
  EXPECT_NE(folded.str().find("r2, r10"), std::string::npos) << folded.str();
}

TEST(ListingOutput, ThreatsAndScansMatchTheirGoldenFiles) {
  auto reports = sample_cluster();
  auto summary = ClusterSummary::of(reports, run_of(reports));
  for (auto [format, suffix] :
       {std::pair{OutputFormat::kTable, "table.txt"}, std::pair{OutputFormat::kJson, "json"},
        std::pair{OutputFormat::kYaml, "yaml"}, std::pair{OutputFormat::kTsv, "tsv"}}) {
    std::ostringstream threats, scans;
    print_threats(reports, summary, {format, kNow, 0}, threats);
    print_scans(reports, summary, {format, kNow, 5}, scans);
    expect_golden(std::string("threats.") + suffix, threats.str());
    expect_golden(std::string("scans.") + suffix, scans.str());
  }
}

TEST(ScanOutput, TriggeredScansMatchTheirGoldenFiles) {
  auto reports = sample_cluster();
  for (auto& r : reports) {
    r.snapshot.reset();
    r.findings.clear();
    if (r.outcome.state != ExchangeState::kOk) continue;
    ScanTrigger t;
    t.id = "0123456789abcdef0123456789abcdef";
    t.type = "quick";
    t.state = r.node.name == "r3" ? "failed" : "succeeded";
    t.error = r.node.name == "r3" ? "mdatp scan quick: exit 2: scan failed" : "";
    t.requested_by = "token:runbook";
    t.requested_at_ms = kNow - 90'000;
    t.ended_at_ms = kNow - 20'000;
    t.files_scanned = 1750;
    t.threats_detected = r.node.name == "r4" ? 1 : 0;
    r.scan = t;
    r.findings = findings_of(t);
    if (r.node.name == "r10") r.note = "joined the scan already running";
  }
  auto summary = ClusterSummary::of(reports, run_of(reports));
  for (auto [format, name] :
       {std::pair{OutputFormat::kTable, "scan.table.txt"}, std::pair{OutputFormat::kJson, "scan.json"},
        std::pair{OutputFormat::kYaml, "scan.yaml"}, std::pair{OutputFormat::kTsv, "scan.tsv"}}) {
    std::ostringstream out;
    print_scan_results(reports, summary, format, out);
    expect_golden(name, out.str());
  }
}

}  // namespace
}  // namespace nexus_mde::plugin
