// xdr sizing and capacity, table-driven across every boundary of the rules.
#include <gtest/gtest.h>

#include "plugin/xdr/event_hub_sizing.hpp"

namespace nexus_mde::plugin {
namespace {

struct SizingCase {
  std::uint64_t events_per_minute;
  std::optional<std::uint64_t> endpoints;
  std::uint64_t units;
  EventHubTier tier;
  std::uint64_t partitions;
  unsigned processing_units;
  std::uint64_t inflate_cap;
};

TEST(EventHubSizing, UnitsTierPartitionsAndProcessingUnitsAtEveryBoundary) {
  const auto S = EventHubTier::kStandard, P = EventHubTier::kPremium, D = EventHubTier::kDedicated;
  const std::vector<SizingCase> cases{
      // units = 1 + ceil(3N / 61440): one event a minute already needs 2 (the +1 is headroom).
      {1, std::nullopt, 2, S, 2, 0, 4},
      {20'480, std::nullopt, 2, S, 2, 0, 4},        // 3N/61440 = 1 exactly
      {20'481, std::nullopt, 3, S, 3, 0, 6},        // just above: rounds up
      {409'600, std::nullopt, 21, S, 21, 0, 40},    // 2 x 21 = 42: Standard inflates to 40 at most
      {634'880, std::nullopt, 32, S, 32, 0, 40},    // the last Standard
      {634'881, std::nullopt, 33, P, 33, 8, 0},     // the first Premium: 8 PUs (4 carry only 20 units)
      {819'200, std::nullopt, 41, P, 41, 16, 0},    // 41 units: 8 PUs carry 40, so 16
      {1'617'920, std::nullopt, 80, P, 80, 16, 0},  // the last Premium: 16 PUs x 5 = 80
      {1'617'921, std::nullopt, 81, D, 81, 0, 0},   // beyond Premium: a dedicated cluster
      {20'951'040, std::nullopt, 1024, D, 1024, 0, 0},
      {20'951'041, std::nullopt, 1025, D, 1024, 0, 0},  // partitions stop at 1024
      {1'000, 49'999, 2, S, 2, 0, 4},
      {1'000, 50'000, 2, D, 2, 0, 0},  // 50,000 endpoints: dedicated whatever the rate
      {634'881, 49'999, 33, P, 33, 8, 0},
      {634'881, 50'000, 33, D, 33, 0, 0},
  };
  for (const auto& c : cases) {
    SizingInput in;
    in.events_per_minute = c.events_per_minute;
    in.endpoints = c.endpoints;
    auto plan = size_event_hub(in);
    ASSERT_TRUE(plan.ok()) << c.events_per_minute << ": " << plan.error().describe();
    SCOPED_TRACE(std::to_string(c.events_per_minute) + " events/min, " +
                 (c.endpoints ? std::to_string(*c.endpoints) : std::string("?")) + " endpoints");
    EXPECT_EQ(plan->throughput_units, c.units);
    EXPECT_EQ(plan->tier, c.tier);
    EXPECT_EQ(plan->dedicated_cluster, c.tier == D);
    EXPECT_EQ(plan->partitions, c.partitions);
    EXPECT_EQ(plan->processing_units, c.processing_units);
    EXPECT_EQ(plan->inflate_cap, c.inflate_cap);
    EXPECT_EQ(plan->throughput_allocated, c.units);
    EXPECT_EQ(plan->retention_days, 1u);
  }
}

TEST(EventHubSizing, HeadroomRetentionAndNotes) {
  SizingInput in;
  in.events_per_minute = 40'961;  // 4 units
  in.headroom = 1.5;
  auto plan = size_event_hub(in);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->inflate_cap, 6u);
  EXPECT_TRUE(plan->note.empty());
  in.headroom = 10;
  EXPECT_EQ(size_event_hub(in)->inflate_cap, 40u);  // 4 x 10: at the limit, not above it
  EXPECT_TRUE(size_event_hub(in)->note.empty());
  in.events_per_minute = 61'441;  // 5 units x 10 = 50
  EXPECT_EQ(size_event_hub(in)->inflate_cap, 40u);
  EXPECT_NE(size_event_hub(in)->note.find("40 units"), std::string::npos);
  in.events_per_minute = 40'961;
  in.headroom = 2;
  in.retention_days = 7;
  EXPECT_TRUE(size_event_hub(in).ok());
  in.retention_days = 8;
  auto too_long = size_event_hub(in);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().field, "--retention-days");
  EXPECT_NE(too_long.error().message.find("Standard"), std::string::npos);
  in.events_per_minute = 700'000;  // Premium keeps 90 days
  in.retention_days = 90;
  EXPECT_TRUE(size_event_hub(in).ok());
  EXPECT_NE(size_event_hub({1'617'921, std::nullopt, 2.0, 1})->note.find("beyond Premium"),
            std::string::npos);
}

TEST(EventHubSizing, BadNumbersNameTheirFlag) {
  EXPECT_EQ(size_event_hub({0, std::nullopt, 2.0, 1}).error().field, "--events-per-minute");
  EXPECT_EQ(size_event_hub({1'000'000'000'001ull, std::nullopt, 2.0, 1}).error().field,
            "--events-per-minute");
  EXPECT_EQ(size_event_hub({10, 0, 2.0, 1}).error().field, "--endpoints");
  EXPECT_EQ(size_event_hub({10, std::nullopt, 0.5, 1}).error().field, "--headroom");
  EXPECT_EQ(size_event_hub({10, std::nullopt, 11, 1}).error().field, "--headroom");
  for (const char* bad : {"", "-1", "abc", "1e5", "12x", "99999999999999999999999"}) {
    auto r = parse_count_flag("--events-per-minute", bad, 1, 1000);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "--events-per-minute");
    EXPECT_NE(r.error().message.find("whole number from 1 to 1000"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(*parse_count_flag("--tus", "7", 1, 10), 7u);
}

TEST(EventHubCapacity, SaturationStartsAtEachLimit) {
  constexpr std::uint64_t MiB = 1024 * 1024;
  struct Case {
    std::uint64_t units, in, out;
    bool ingress, egress;
    std::uint64_t needed;
  };
  for (const auto& c : std::vector<Case>{
           {2, 2 * MiB - 1, 0, false, false, 2},
           {2, 2 * MiB, 0, true, false, 3},       // at the limit is saturated
           {2, 0, 4 * MiB - 1, false, false, 2},  // one unit would carry under 2 MiB/s out
           {2, 0, 4 * MiB, false, true, 3},
           {2, 5 * MiB, 9 * MiB, true, true, 6},
           {1, 0, 0, false, false, 1},
       }) {
    auto r = check_capacity(c.units, c.in, c.out);
    ASSERT_TRUE(r.ok());
    SCOPED_TRACE(std::to_string(c.units) + " units, in " + std::to_string(c.in) + ", out " +
                 std::to_string(c.out));
    EXPECT_EQ(r->ingress_saturated, c.ingress);
    EXPECT_EQ(r->egress_saturated, c.egress);
    EXPECT_EQ(r->saturated(), c.ingress || c.egress);
    EXPECT_EQ(r->units_needed, c.needed);
  }
  EXPECT_EQ(check_capacity(0, 1, 1).error().field, "--tus");
}

}  // namespace
}  // namespace nexus_mde::plugin
