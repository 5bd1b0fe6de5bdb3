// Time conversions done right: epoch milliseconds <-> RFC 3339 UTC with milliseconds, without
// gmtime/strftime so that neither TZ nor the locale can change the result (the seed workflow's
// `date -d @$(echo ms/1000|bc)` drops milliseconds and prints local time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/sys/result.hpp"

namespace nexus_mde {

// The range we accept: 1970-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z.
inline constexpr std::int64_t kMaxEpochMs = 253402300799999;

// "1697204573732" -> 1697204573732. Only ASCII digits; empty, signs, spaces, fractions and values
// beyond year 9999 are errors.
Result<std::int64_t> parse_epoch_ms(std::string_view digits);

// 1697204573732 -> "2023-10-13T13:42:53.732Z". Out-of-range input is an error.
Result<std::string> format_rfc3339_ms(std::int64_t epoch_ms);

// The same into a caller's buffer (no allocation): writes exactly kRfc3339Length characters;
// false when out of range.
inline constexpr std::size_t kRfc3339Length = 24;
bool write_rfc3339_ms(std::int64_t epoch_ms, char* out);

// The inverse, accepting "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)" (lower-case t/z too).
// Fractions beyond milliseconds are truncated.
Result<std::int64_t> parse_rfc3339(std::string_view text);

// mdatp's text dates, "Aug 12, 2023 at 03:26:24 AM" (also "Sept 08, 2022 ..."). mdatp prints
// the node's local time without a zone; Nexus nodes run in UTC, so the value is read as UTC.
Result<std::int64_t> parse_mdatp_date(std::string_view text);

// Ages for tables: "just now", "42s ago", "3m ago", "3h 12m ago", "2d 4h ago"; a time in the
// future reads "in 5m".
std::string human_age(std::int64_t then_ms, std::int64_t now_ms);

// Durations for tables: "850ms", "58.8s", "3m 12s", "1h 02m", "2d 3h". Negative -> "-".
std::string human_duration(std::int64_t ms);

// Wall clock now, epoch ms.
std::int64_t now_epoch_ms();

// Days since 1970-01-01 for a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d);

}  // namespace nexus_mde
