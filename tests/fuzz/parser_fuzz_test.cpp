#include <gtest/gtest.h>

#include <functional>
#include <random>

#include <boost/json.hpp>

#include "common/json/json_reader.hpp"
#include "common/mdatp/agent_information.hpp"
#include "common/mdatp/mdatp_parsers.hpp"
#include "common/model/model_json.hpp"
#include "common/sys/time.hpp"
#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

using ParserFn = std::function<bool(std::string_view)>;  // true when it returned a value

template <typename T>
bool judged(const Result<T>& r) {
  if (!r.ok()) {
    EXPECT_FALSE(r.error().message.empty());  // an error always says what is wrong
  }
  return r.ok();
}

const std::vector<std::pair<const char*, ParserFn>>& parsers() {
  static const std::vector<std::pair<const char*, ParserFn>> all = {
      {"health", [](std::string_view s) { return judged(parse_health_output(s)); }},
      {"health_text", [](std::string_view s) { return judged(parse_health_text(s)); }},
      {"health_json", [](std::string_view s) { return judged(parse_health_json(s)); }},
      {"field", [](std::string_view s) { return judged(parse_health_field_output(s)); }},
      {"scan_list", [](std::string_view s) { return judged(parse_scan_list_json(s)); }},
      {"threat_list", [](std::string_view s) { return judged(parse_threat_list_json(s)); }},
      {"threat_text", [](std::string_view s) { return judged(parse_threat_list_text(s)); }},
      {"quarantine", [](std::string_view s) { return judged(parse_quarantine_list_json(s)); }},
      {"scan_output", [](std::string_view s) { return judged(parse_scan_output(s)); }},
      {"agent_information", [](std::string_view s) { return judged(parse_agent_information(s, "fuzz")); }},
      {"agent_information_chunked",
       [](std::string_view s) {
         AgentInformationParser parser("fuzz");
         for (std::size_t pos = 0; pos < s.size(); pos += 3) {
           if (!parser.write(s.substr(pos, 3))) break;
         }
         return judged(parser.finish());
       }},
      {"wire_snapshot",
       [](std::string_view s) {
         auto v = parse_json_text(s, "fuzz");
         return v.ok() && judged(snapshot_from_json(*v));
       }},
      {"times",
       [](std::string_view s) {
         std::string_view head = s.substr(0, 40);
         (void)judged(parse_epoch_ms(head));
         (void)judged(parse_rfc3339(head));
         return judged(parse_mdatp_date(head));
       }},
  };
  return all;
}

std::vector<std::string> samples() {
  std::vector<std::string> out;
  for (const auto& folder : {"mdatp", "extracts"}) {
    for (const auto& name : testing::fixtures_in(folder, ".json")) out.push_back(testing::read_fixture(name));
    for (const auto& name : testing::fixtures_in(folder, ".txt")) out.push_back(testing::read_fixture(name));
  }
  for (const auto& suffix : {".txt", ".json"}) {
    for (const auto& name : testing::fixtures_in("formats/mdatp", suffix))
      out.push_back(testing::read_format_fixture(name));
  }
  return out;
}

TEST(ParserFuzz, EveryTruncationOfEverySample) {
  for (const auto& sample : samples()) {
    // Every prefix of small samples; a stride over larger ones keeps the run short.
    std::size_t step = sample.size() > 3000 ? 7 : 1;
    for (std::size_t len = 0; len <= sample.size(); len += step) {
      std::string_view prefix(sample.data(), len);
      for (const auto& [name, parse] : parsers()) {
        EXPECT_NO_THROW((void)parse(prefix)) << name << " at length " << len;
      }
    }
  }
}

TEST(ParserFuzz, SeededMutationsOfEverySample) {
  std::mt19937 rng(20261123);  // fixed: a failure reproduces
  const std::string interesting = "\"{}[]:,\\0123456789-.eE \n\t\r\x01\xff\xc3\xa9";
  for (const auto& sample : samples()) {
    if (sample.empty()) continue;
    for (int round = 0; round < 300; ++round) {
      std::string m = sample;
      int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        std::size_t pos = rng() % m.size();
        switch (rng() % 4) {
          case 0:
            m[pos] = interesting[rng() % interesting.size()];
            break;
          case 1:
            m.erase(pos, 1 + rng() % 8);
            break;
          case 2:
            m.insert(pos, 1, interesting[rng() % interesting.size()]);
            break;
          default:
            m.insert(pos, m.substr(rng() % m.size(), 1 + rng() % 16));
            break;
        }
        if (m.empty()) m = "x";
      }
      for (const auto& [name, parse] : parsers()) {
        EXPECT_NO_THROW((void)parse(m)) << name << " round " << round;
      }
    }
  }
}

TEST(ParserFuzz, HostileShapes) {
  std::string deep(10000, '[');
  std::string long_key = "{\"" + std::string(1 << 20, 'k') + "\":1}";
  std::string big_number = R"([{"startTime":99999999999999999999999999,"filesScanned":1e400}])";
  std::string nul = std::string("healthy : true\n") + '\0' + "x : 1\n";
  for (const std::string& s : {deep, long_key, big_number, nul}) {
    for (const auto& [name, parse] : parsers()) {
      EXPECT_NO_THROW((void)parse(s)) << name;
    }
  }
  EXPECT_FALSE(parse_scan_list_json(big_number).ok());
  EXPECT_FALSE(parse_agent_information(deep, "deep").ok());
}

}  // namespace
}  // namespace nexus_mde
