// Sizing the Azure Event Hub that streams Defender XDR events to a SIEM, as the MDE integration
// guides do it by hand: throughput units from the event rate, the tier from the units and the
// number of endpoints, and whether given units are saturated by measured traffic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/sys/result.hpp"

namespace nexus_mde::plugin {

enum class EventHubTier { kStandard, kPremium, kDedicated };
std::string_view to_string(EventHubTier tier);  // "Standard", "Premium", "Dedicated"

struct SizingInput {
  std::uint64_t events_per_minute = 0;
  std::optional<std::uint64_t> endpoints;  // unknown: the tier follows the units alone
  double headroom = 2.0;                   // Standard's auto-inflate cap, as a multiple of the units
  unsigned retention_days = 1;
};

struct EventHubPlan {
  std::uint64_t throughput_units = 0;  // ⌈N / 60 × 3 / 1024 + 1⌉: capacity, so rounded up
  EventHubTier tier = EventHubTier::kStandard;
  bool dedicated_cluster = false;
  std::uint64_t throughput_allocated = 0;  // Standard: the units; otherwise the units needed
  std::uint64_t inflate_cap = 0;           // Standard only (auto-inflate); 0 elsewhere
  std::uint64_t partitions = 0;
  unsigned processing_units = 0;  // Premium only
  unsigned retention_days = 1;
  std::string note;  // why a limit changed the plan, if one did
};

// Validates the input (every problem names its flag) and sizes the hub.
Result<EventHubPlan> size_event_hub(const SizingInput& input);

struct CapacityCheck {
  std::uint64_t throughput_units = 0;
  std::uint64_t incoming_bytes_per_second = 0;
  std::uint64_t outgoing_bytes_per_second = 0;
  bool ingress_saturated = false;  // incoming >= units × 1 MiB/s
  bool egress_saturated = false;   // outgoing >= units × 2 MiB/s
  std::uint64_t units_needed = 0;  // the fewest units with both below their limits

  bool saturated() const { return ingress_saturated || egress_saturated; }
};

Result<CapacityCheck> check_capacity(std::uint64_t throughput_units, std::uint64_t incoming_bytes_per_second,
                                     std::uint64_t outgoing_bytes_per_second);

// "--events-per-minute" → a whole number in [min, max], or an error naming the flag.
Result<std::uint64_t> parse_count_flag(std::string_view flag, std::string_view text, std::uint64_t min,
                                       std::uint64_t max);

}  // namespace nexus_mde::plugin
