// The report's record arena: aligned memory from few blocks, reused after reset(), and known to
// Boost.JSON as trivially deallocating (what makes destroying records in it free).
#include "plugin/report/record_arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>

#include <boost/json.hpp>

namespace nexus_mde::plugin {
namespace {

namespace json = boost::json;

TEST(RecordArena, HandsOutAlignedMemoryThatIsReusedAfterReset) {
  RecordArena arena;
  json::memory_resource& mr = arena;
  std::set<std::uintptr_t> first_round;
  void* first = nullptr;
  for (std::size_t i = 0; i < 10000; ++i) {
    std::size_t align = std::size_t{1} << (i % 5);  // 1 to 16
    void* p = mr.allocate(1 + i % 100, align);
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u) << "allocation " << i;
    first_round.insert(reinterpret_cast<std::uintptr_t>(p));
    if (!first) first = p;
  }
  EXPECT_EQ(first_round.size(), 10000u) << "no two allocations share memory";
  arena.reset();
  void* again = mr.allocate(1, 1);
  EXPECT_EQ(again, first) << "the first block is reused";
}

TEST(RecordArena, AValueLargerThanABlockGetsABlockOfItsOwn) {
  RecordArena arena;
  json::memory_resource& mr = arena;
  auto* small = static_cast<char*>(mr.allocate(64, 8));
  auto* big = static_cast<char*>(mr.allocate(3 * RecordArena::kBlock, 8));
  big[3 * RecordArena::kBlock - 1] = 'x';  // all of it is usable (ASan would catch an overflow)
  small[63] = 'y';
  auto* after = static_cast<char*>(mr.allocate(64, 8));
  EXPECT_NE(after, small);
  EXPECT_TRUE(after < big || after >= big + 3 * RecordArena::kBlock);
}

TEST(RecordArena, JsonValuesInItNeedNoDestruction) {
  RecordArena arena;
  json::storage_ptr sp(&arena);
  EXPECT_TRUE(sp.is_deallocate_trivial());
  EXPECT_FALSE(sp.is_shared());
  json::object o(sp);
  o["sha256"] = std::string(64, 'e');
  o["history"] = json::array({json::object{{"key", 1}, {"value", "detected"}}}, sp);
  EXPECT_EQ(o["sha256"].as_string().storage().get(), &arena);
  EXPECT_EQ(o["history"].as_array()[0].as_object()["value"].storage().get(), &arena);
}

}  // namespace
}  // namespace nexus_mde::plugin
