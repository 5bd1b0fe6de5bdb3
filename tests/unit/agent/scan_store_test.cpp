// The saved scan history: round trip, atomic replacement, corrupt files kept aside, bounded size.
#include "agent/scans/scan_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/fixtures.hpp"

namespace nexus_mde::agent {
namespace {

namespace fs = std::filesystem;

ScanTrigger trigger(int n, const char* state = "succeeded") {
  ScanTrigger t;
  t.id = std::string(31, '0') + std::to_string(n % 10);
  t.type = n % 2 ? "full" : "quick";
  t.state = state;
  t.requested_by = "nexus-mde-operator";
  t.peer = "127.0.0.1:4000" + std::to_string(n % 10);
  t.requested_at_ms = 1697204573732 + n;
  if (std::string(state) != "running") {
    t.ended_at_ms = t.requested_at_ms + 1000;
    t.files_scanned = 1750;
    t.threats_detected = 0;
  }
  return t;
}

TEST(ScanStore, AMissingFileIsAnEmptyHistory) {
  testing::ScratchDir dir;
  auto loaded = ScanStore(dir.path().string()).load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_TRUE(loaded->empty());
}

TEST(ScanStore, SavedTriggersLoadBackUnchanged) {
  testing::ScratchDir dir;
  ScanStore store(dir.path().string());
  std::vector<ScanTrigger> saved{trigger(1), trigger(2, "running")};
  saved[0].error = "";
  saved[1].error = "";
  ASSERT_TRUE(store.save(saved).ok());
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].id, saved[0].id);
  EXPECT_EQ((*loaded)[0].requested_at_ms, saved[0].requested_at_ms);
  EXPECT_EQ((*loaded)[0].ended_at_ms, saved[0].ended_at_ms);
  EXPECT_EQ((*loaded)[0].files_scanned, 1750);
  EXPECT_EQ((*loaded)[1].state, "running");
  EXPECT_FALSE((*loaded)[1].ended_at_ms.has_value());
  // No temporary file is left behind, and the file is private.
  EXPECT_FALSE(fs::exists(dir / "scans.json.tmp"));
  EXPECT_EQ(fs::status(dir / "scans.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST(ScanStore, KeepsTheNewestHundred) {
  testing::ScratchDir dir;
  ScanStore store(dir.path().string());
  std::vector<ScanTrigger> many;
  for (int i = 0; i < 130; ++i) many.push_back(trigger(i));
  ASSERT_TRUE(store.save(many).ok());
  auto loaded = store.load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), ScanStore::kKept);
  EXPECT_EQ(loaded->front().requested_at_ms, many[30].requested_at_ms);
  EXPECT_EQ(loaded->back().requested_at_ms, many[129].requested_at_ms);
}

TEST(ScanStore, ACorruptFileIsAnErrorAndCanBeMovedAside) {
  testing::ScratchDir dir;
  ScanStore store(dir.path().string());
  for (const char* bad :
       {"{\"scans\":[{\"id\":\"x\"", "[]", R"({"scans":[{"id":"a","type":"quick","state":"running"}]})",
        R"({"scans":[{"id":"a","type":"quick","state":"running","requestedAt":"yesterday"}]})"}) {
    testing::write_file(dir / "scans.json", bad);
    auto loaded = store.load();
    EXPECT_FALSE(loaded.ok()) << bad;
  }
  auto aside = store.move_aside(1234);
  ASSERT_TRUE(aside.ok());
  EXPECT_EQ(*aside, (dir / "scans.json.corrupt-1234").string());
  EXPECT_TRUE(fs::exists(*aside));
  EXPECT_TRUE(store.load().ok());
}

TEST(ScanStore, AnUnwritableDirectoryIsAnErrorNamingTheFile) {
  testing::ScratchDir dir;
  ScanStore store((dir / "does-not-exist").string());
  auto saved = store.save({trigger(1)});
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().describe().find("scans.json.tmp"), std::string::npos) << saved.error().describe();
}

}  // namespace
}  // namespace nexus_mde::agent
