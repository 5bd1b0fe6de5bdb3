// What a failed collection leaves of the previous snapshot, and how routes are labelled.
#include <gtest/gtest.h>

#include "agent/api/router.hpp"
#include "agent/snapshot/snapshot_cache.hpp"

namespace nexus_mde::agent {
namespace {

NodeSnapshot good_snapshot() {
  NodeSnapshot s;
  s.node = "rack1compute07";
  s.health = Health{};
  s.health->healthy = true;
  s.enforcement.level = EnforcementLevel::RealTime;
  s.scans.resize(2);
  s.threats.resize(1);
  s.quarantine.resize(1);
  s.collected_at_ms = 1000;
  return s;
}

TEST(MergeWithPrevious, AFailedCollectionKeepsTheOldDataMarkedStaleWithTheNewErrors) {
  NodeSnapshot previous = good_snapshot();
  NodeSnapshot failed;
  failed.node = previous.node;
  failed.errors.push_back({"health", "mdatp health --output json: timed out after 1000 ms"});
  failed.collected_at_ms = 2000;
  auto merged = merge_with_previous(failed, &previous);
  EXPECT_TRUE(merged.stale);
  EXPECT_EQ(merged.collected_at_ms, 1000);
  ASSERT_TRUE(merged.health.has_value());
  EXPECT_EQ(merged.scans.size(), 2u);
  ASSERT_EQ(merged.errors.size(), 1u);
  EXPECT_EQ(merged.errors[0].source, "health");
}

TEST(MergeWithPrevious, ASourceThatFailsAloneKeepsItsPreviousData) {
  NodeSnapshot previous = good_snapshot();
  NodeSnapshot fresh = good_snapshot();
  fresh.collected_at_ms = 2000;
  fresh.scans.clear();
  fresh.threats.clear();
  fresh.errors.push_back({"scans", "mdatp scan list --output json: killed by signal 11"});
  auto merged = merge_with_previous(fresh, &previous);
  EXPECT_TRUE(merged.stale);
  EXPECT_EQ(merged.collected_at_ms, 2000);
  EXPECT_EQ(merged.scans.size(), 2u);    // kept
  EXPECT_EQ(merged.threats.size(), 0u);  // threats answered: none now
}

TEST(MergeWithPrevious, AStoppedServiceIsNewsNotAFailure) {
  NodeSnapshot previous = good_snapshot();
  NodeSnapshot stopped;
  stopped.enforcement.level = EnforcementLevel::Disabled;
  stopped.errors.push_back({"health", "mdatp health --output json: exit 1"});
  stopped.collected_at_ms = 2000;
  auto merged = merge_with_previous(stopped, &previous);
  EXPECT_FALSE(merged.stale);
  EXPECT_FALSE(merged.health.has_value());
  EXPECT_EQ(merged.enforcement.level, EnforcementLevel::Disabled);
  // Without a previous snapshot the fresh one is served as it is.
  NodeSnapshot first;
  first.errors.push_back({"health", "cannot start"});
  EXPECT_FALSE(merge_with_previous(first, nullptr).stale);
}

TEST(RouteLabel, NeverEchoesTheClientsPath) {
  EXPECT_EQ(route_label("/v1/status"), "/v1/status");
  EXPECT_EQ(route_label("/v1/scans"), "/v1/scans");
  EXPECT_EQ(route_label("/v1/scans/0123"), "/v1/scans/{id}");
  EXPECT_EQ(route_label("/metrics"), "/metrics");
  EXPECT_EQ(route_label("/v1/scans/"), "other");
  EXPECT_EQ(route_label("/x\"} 1\nevil"), "other");
}

TEST(Metrics, RendersPrometheusText) {
  Metrics m;
  m.count_request("/v1/status", 200, std::chrono::microseconds(1500));
  m.count_request("/v1/status", 200, std::chrono::microseconds(500));
  m.count_mdatp_call("health", "timeout", std::chrono::milliseconds(30000));
  SnapshotGauges g;
  g.collected_at_ms = 1000;
  g.healthy = true;
  g.threats = 2;
  g.definitions_updated_ms = 1'700'000'000'000;
  g.enforcement_level = "OnDemand";
  g.last_scan_end_ms = 1'700'000'100'500;
  g.last_scan_succeeded = false;
  m.set_snapshot(g);
  auto text = m.render(4000);
  auto has = [&text](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has("nexus_mde_agent_http_requests_total{route=\"/v1/status\",status=\"200\"} 2")) << text;
  EXPECT_TRUE(has("# TYPE nexus_mde_agent_http_request_duration_seconds histogram"));
  EXPECT_TRUE(
      has("nexus_mde_agent_http_request_duration_seconds_bucket{route=\"/v1/status\",le=\"0.001\"} 1"));
  EXPECT_TRUE(
      has("nexus_mde_agent_http_request_duration_seconds_bucket{route=\"/v1/status\",le=\"+Inf\"} 2"));
  EXPECT_TRUE(has("nexus_mde_agent_http_request_duration_seconds_sum{route=\"/v1/status\"} 0.002"));
  EXPECT_TRUE(has("nexus_mde_agent_mdatp_calls_total{command=\"health\",outcome=\"timeout\"} 1"));
  EXPECT_TRUE(has("nexus_mde_agent_mdatp_call_duration_seconds_bucket{command=\"health\",le=\"30\"} 1"));
  EXPECT_TRUE(has("nexus_mde_agent_snapshot_age_seconds 3"));
  EXPECT_TRUE(has("nexus_mde_agent_mde_threats 2"));
  EXPECT_TRUE(has("nexus_mde_agent_mde_definitions_updated_timestamp_seconds 1700000000"));
  EXPECT_TRUE(has("nexus_mde_agent_mde_enforcement_level_info{level=\"OnDemand\"} 1"));
  EXPECT_TRUE(has("nexus_mde_agent_mde_last_scan_end_timestamp_seconds 1700000100.5"));
  EXPECT_TRUE(has("nexus_mde_agent_mde_last_scan_succeeded 0"));
  EXPECT_TRUE(has("# TYPE nexus_mde_agent_mdatp_calls_total counter"));
  // Known label values start at 0, so a rate() or an alert sees the series before its first event.
  EXPECT_TRUE(has("nexus_mde_agent_auth_failures_total{reason=\"bad-token\"} 0"));
  EXPECT_TRUE(has("nexus_mde_agent_mdatp_calls_total{command=\"threat list\",outcome=\"ok\"} 0"));
  EXPECT_TRUE(has("nexus_mde_agent_http_requests_total{route=\"/v1/threats\",status=\"200\"} 0"));
  EXPECT_NE(text.find("nexus_mde_agent_build_info{version=\""), std::string::npos);
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("\nprocess_open_fds "), std::string::npos);
  // What mdatp did not report is absent, never 0.
  EXPECT_EQ(text.find("\nnexus_mde_agent_mde_real_time_protection_enabled "), std::string::npos) << text;
}

TEST(Metrics, BeforeTheFirstSnapshotMdeStateIsAbsentNotZero) {
  auto text = Metrics().render(4000);
  for (const char* name : {"nexus_mde_agent_mde_threats", "nexus_mde_agent_mde_quarantined",
                           "nexus_mde_agent_mde_healthy", "nexus_mde_agent_snapshot_age_seconds"}) {
    EXPECT_EQ(text.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace nexus_mde::agent
