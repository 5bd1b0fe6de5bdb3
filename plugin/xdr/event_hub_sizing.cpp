#include "plugin/xdr/event_hub_sizing.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace nexus_mde::plugin {

namespace {

constexpr std::uint64_t kStandardMaxUnits = 32;      // above this, Premium or a dedicated cluster
constexpr std::uint64_t kStandardInflateLimit = 40;  // Standard namespaces inflate to 40 units at most
constexpr std::uint64_t kPremiumUnitsPerPu = 5;      // a processing unit carries about 5 units
constexpr std::uint64_t kPremiumMaxPartitions = 100;
constexpr std::uint64_t kDedicatedMaxPartitions = 1024;
constexpr std::uint64_t kDedicatedEndpoints = 50'000;
constexpr std::array<unsigned, 5> kProcessingUnits{1, 2, 4, 8, 16};
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;
// Beyond these the input is a typo, not a workload.
constexpr std::uint64_t kMaxEventsPerMinute = 1'000'000'000'000ull;
constexpr std::uint64_t kMaxEndpoints = 100'000'000;
constexpr std::uint64_t kMaxUnits = 1'000'000;
constexpr std::uint64_t kMaxBytesPerSecond = 1ull << 50;

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0); }

}  // namespace

std::string_view to_string(EventHubTier tier) {
  switch (tier) {
    case EventHubTier::kStandard:
      return "Standard";
    case EventHubTier::kPremium:
      return "Premium";
    case EventHubTier::kDedicated:
      return "Dedicated";
  }
  return "?";
}

Result<std::uint64_t> parse_count_flag(std::string_view flag, std::string_view text, std::uint64_t min,
                                       std::uint64_t max) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return make_error("must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                          ", not \"" + std::string(text) + "\"",
                      std::string(flag));
  }
  return value;
}

Result<EventHubPlan> size_event_hub(const SizingInput& in) {
  if (in.events_per_minute < 1 || in.events_per_minute > kMaxEventsPerMinute) {
    return make_error("must be from 1 to " + std::to_string(kMaxEventsPerMinute), "--events-per-minute");
  }
  if (in.endpoints && (*in.endpoints < 1 || *in.endpoints > kMaxEndpoints)) {
    return make_error("must be from 1 to " + std::to_string(kMaxEndpoints), "--endpoints");
  }
  if (!(in.headroom >= 1.0 && in.headroom <= 10.0))
    return make_error("must be a multiple from 1 to 10", "--headroom");

  EventHubPlan p;
  // ⌈N/60 × 3/1024 + 1⌉ = 1 + ⌈3N / 61440⌉, in integers so that no rounding error loses a unit.
  p.throughput_units = 1 + ceil_div(3 * in.events_per_minute, std::uint64_t{60} * 1024);
  bool many_endpoints = in.endpoints && *in.endpoints >= kDedicatedEndpoints;
  if (!many_endpoints && p.throughput_units <= kStandardMaxUnits) {
    p.tier = EventHubTier::kStandard;
    p.throughput_allocated = p.throughput_units;
    p.inflate_cap =
        static_cast<std::uint64_t>(std::ceil(static_cast<double>(p.throughput_units) * in.headroom));
    if (p.inflate_cap > kStandardInflateLimit) {
      p.inflate_cap = kStandardInflateLimit;
      p.note = "auto-inflate capped at 40 units, Standard's limit";
    }
    p.partitions = p.throughput_units;
  } else if (!many_endpoints && p.throughput_units <= kPremiumUnitsPerPu * kProcessingUnits.back()) {
    p.tier = EventHubTier::kPremium;
    p.throughput_allocated = p.throughput_units;
    for (unsigned pu : kProcessingUnits) {
      if (pu * kPremiumUnitsPerPu >= p.throughput_units) {
        p.processing_units = pu;
        break;
      }
    }
    p.partitions = std::min(p.throughput_units, kPremiumMaxPartitions);
  } else {
    p.tier = EventHubTier::kDedicated;
    p.dedicated_cluster = true;
    p.throughput_allocated = p.throughput_units;
    p.partitions = std::min(p.throughput_units, kDedicatedMaxPartitions);
    if (!many_endpoints) p.note = "more than 80 units, beyond Premium's 16 processing units";
  }
  if (p.tier == EventHubTier::kPremium && p.partitions < p.throughput_units)
    p.note = "partitions capped at 100, Premium's limit";
  if (p.tier == EventHubTier::kDedicated && p.partitions < p.throughput_units) {
    p.note +=
        std::string(p.note.empty() ? "" : "; ") + "partitions capped at 1024, a dedicated cluster's limit";
  }
  unsigned max_retention = p.tier == EventHubTier::kStandard ? 7 : 90;
  if (in.retention_days < 1 || in.retention_days > max_retention) {
    return make_error("must be from 1 to " + std::to_string(max_retention) + " days for the " +
                          std::string(to_string(p.tier)) + " tier",
                      "--retention-days");
  }
  p.retention_days = in.retention_days;
  return p;
}

Result<CapacityCheck> check_capacity(std::uint64_t units, std::uint64_t incoming, std::uint64_t outgoing) {
  if (units < 1 || units > kMaxUnits)
    return make_error("must be from 1 to " + std::to_string(kMaxUnits), "--tus");
  if (incoming > kMaxBytesPerSecond)
    return make_error("is beyond any Event Hub", "--incoming-bytes-per-second");
  if (outgoing > kMaxBytesPerSecond)
    return make_error("is beyond any Event Hub", "--outgoing-bytes-per-second");
  CapacityCheck c;
  c.throughput_units = units;
  c.incoming_bytes_per_second = incoming;
  c.outgoing_bytes_per_second = outgoing;
  c.ingress_saturated = incoming >= units * kMiB;
  c.egress_saturated = outgoing >= units * 2 * kMiB;
  // Saturation starts at the limit itself, so the units needed keep each rate strictly below.
  c.units_needed = std::max(incoming / kMiB + 1, outgoing / (2 * kMiB) + 1);
  return c;
}

}  // namespace nexus_mde::plugin
