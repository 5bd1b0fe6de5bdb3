// libFuzzer entry for one of mdatp's text parsers, chosen at build time (NEXUS_MDE_FUZZ_<name>).
// Every input must end in a value or an Error that says what is wrong: never a crash, a throw, a
// sanitizer report or an error without a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/mdatp/mdatp_parsers.hpp"

namespace {

template <typename T>
void judge(const nexus_mde::Result<T>& r) {
  if (!r.ok() && r.error().message.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
#if defined(NEXUS_MDE_FUZZ_health_text)
  judge(nexus_mde::parse_health_text(text, &warnings));
#elif defined(NEXUS_MDE_FUZZ_health_output)
  judge(nexus_mde::parse_health_output(text, &warnings));
#elif defined(NEXUS_MDE_FUZZ_field)
  judge(nexus_mde::parse_health_field_output(text));
#elif defined(NEXUS_MDE_FUZZ_threat_text)
  judge(nexus_mde::parse_threat_list_text(text));
#elif defined(NEXUS_MDE_FUZZ_scan_output)
  judge(nexus_mde::parse_scan_output(text));
#else
#error "one NEXUS_MDE_FUZZ_<parser> must be defined"
#endif
  for (const auto& w : warnings) {
    if (w.empty()) std::abort();
  }
  return 0;
}
