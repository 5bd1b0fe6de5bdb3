// nexus-mde xdr sizing / capacity as a user runs them: the tfvars lines, formats, exit codes and
// usage errors that name the flag.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "common/sys/process.hpp"
#include "tests/support/cli_runner.hpp"

namespace nexus_mde {
namespace {

ProcessResult run_cli(const std::vector<std::string>& args) {
  return testing::run_nexus_mde(args, std::chrono::seconds(30));
}

TEST(XdrCli, SizingPrintsTheTerraformVariables) {
  auto r = run_cli({"xdr", "sizing", "--events-per-minute", "700000", "--endpoints", "1200", "-o", "tfvars"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "require_dedicated_cluster       = false\n"
            "eventhub_tier                   = \"Premium\"\n"
            "eventhub_throughput_allocated   = 36\n"
            "eventhub_throughput_inflate_cap = 0\n"
            "eventhub_partition_count        = 36\n"
            "eventhub_processing_units       = 8\n"
            "data_retention_length           = 1\n");
  auto standard = run_cli({"xdr", "sizing", "--events-per-minute", "100000", "--headroom", "3",
                           "--retention-days", "7", "-o", "tfvars"});
  EXPECT_NE(standard.out.find("eventhub_tier                   = \"Standard\""), std::string::npos)
      << standard.out;
  EXPECT_NE(standard.out.find("eventhub_throughput_inflate_cap = 18"), std::string::npos)
      << standard.out;  // 6 x 3
  EXPECT_NE(standard.out.find("data_retention_length           = 7"), std::string::npos) << standard.out;
  // The global -o (or NEXUS_MDE_OUTPUT) applies when the command's own is not given.
  auto json = run_cli({"-o", "json", "xdr", "sizing", "--events-per-minute", "1", "--endpoints", "50000"});
  EXPECT_EQ(json.exit_code, 0);
  auto doc = boost::json::parse(json.out);
  EXPECT_EQ(doc.at("tier"), "Dedicated");
  EXPECT_EQ(doc.at("dedicatedCluster"), true);
}

TEST(XdrCli, CapacitySaysWhichLimitAndExitsOneWhenSaturated) {
  auto ok = run_cli({"xdr", "capacity", "--tus", "4", "--incoming-bytes-per-second", "1000000",
                     "--outgoing-bytes-per-second", "2000000"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("Not saturated"), std::string::npos) << ok.out;
  auto egress = run_cli({"xdr", "capacity", "--tus", "1", "--incoming-bytes-per-second", "10",
                         "--outgoing-bytes-per-second", "2097152"});
  EXPECT_EQ(egress.exit_code, 1);
  EXPECT_NE(egress.out.find("Saturated: egress (2 MiB/s per unit); 2 units needed."), std::string::npos)
      << egress.out;
}

TEST(XdrCli, BadNumbersAreUsageErrorsNamingTheFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string names;
  };
  for (const auto& c : std::vector<Case>{
           {{"sizing", "--events-per-minute", "-5"}, "--events-per-minute: must be a whole number"},
           {{"sizing", "--events-per-minute", "ten"}, "--events-per-minute: must be a whole number"},
           {{"sizing", "--events-per-minute", "10", "--endpoints", "0"},
            "--endpoints: must be a whole number"},
           {{"sizing", "--events-per-minute", "10", "--headroom", "50"},
            "--headroom: must be a multiple from 1 to 10"},
           {{"sizing", "--events-per-minute", "10", "--retention-days", "30"},
            "--retention-days: must be from 1 to 7 days for the Standard tier"},
           {{"sizing", "--events-per-minute", "10", "-o", "xml"}, "--output"},
           {{"sizing"}, "--events-per-minute is required"},
           {{"capacity", "--tus", "0", "--incoming-bytes-per-second", "1", "--outgoing-bytes-per-second",
             "1"},
            "--tus: must be"},
           {{"capacity", "--tus", "1", "--incoming-bytes-per-second", "x", "--outgoing-bytes-per-second",
             "1"},
            "--incoming-bytes-per-second: must be"},
       }) {
    std::vector<std::string> args{"xdr"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 3) << c.names;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << "want \"" << c.names << "\" in: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

}  // namespace
}  // namespace nexus_mde
