// "Did you mean …?": distances, reach, and the walk over the real command tree.
#include <gtest/gtest.h>

#include "plugin/suggest.hpp"

namespace nexus_mde::plugin {
namespace {

TEST(Suggest, EditDistanceCountsASwapAsOne) {
  EXPECT_EQ(edit_distance("stauts", "status"), 1u);
  EXPECT_EQ(edit_distance("scna", "scan"), 1u);
  EXPECT_EQ(edit_distance("", "scan"), 4u);
  EXPECT_EQ(edit_distance("enforcment", "enforcement"), 1u);
  EXPECT_EQ(edit_distance("status", "status"), 0u);
}

TEST(Suggest, OnlyNamesWithinReachClosestFirst) {
  std::vector<std::string> known{"scan", "scans", "status", "threats"};
  EXPECT_EQ(closest_names("scna", known), (std::vector<std::string>{"scan"}));
  EXPECT_EQ(closest_names("scann", known), (std::vector<std::string>{"scan", "scans"}));
  EXPECT_TRUE(closest_names("xyzzy", known).empty());
  EXPECT_EQ(closest_names("scan", known), (std::vector<std::string>{"scans"}))
      << "never the typed name itself";
}

}  // namespace
}  // namespace nexus_mde::plugin
