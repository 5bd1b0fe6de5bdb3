// Small ASCII string helpers shared by the parsers (locale-independent on purpose).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nexus_mde {

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);  // ASCII letters only, as iequals compares
std::string_view trim(std::string_view s);
std::vector<std::string_view> split_lines(std::string_view text);  // handles \n and \r\n
bool starts_with(std::string_view s, std::string_view prefix);
// "real_time_protection_enabled" -> "realTimeProtectionEnabled"
std::string snake_to_camel(std::string_view snake);
// One spelling for an enum value that mdatp writes as "upToDate" (JSON, legacy text) or
// "up_to_date" (text): snake_case, lower case.
std::string enum_spelling(std::string_view value);
// A short, printable excerpt of untrusted input for error messages.
std::string excerpt(std::string_view s, std::size_t max = 48);
// Lower-case hex of raw bytes: digests, random ids.
std::string to_hex(const unsigned char* bytes, std::size_t size);
// `bytes` (at most 64) random bytes from the kernel's CSPRNG, as lower-case hex.
std::string random_hex(std::size_t bytes);
// "1 threat", "2 threats"
std::string plural(std::size_t n, std::string_view one, std::string_view many);

}  // namespace nexus_mde
