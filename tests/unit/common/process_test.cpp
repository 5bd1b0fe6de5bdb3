#include "common/sys/process.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/support/fixtures.hpp"

namespace nexus_mde {
namespace {

using namespace std::chrono_literals;

ProcessOptions quick(std::chrono::milliseconds timeout = 5000ms) {
  ProcessOptions o;
  o.timeout = timeout;
  return o;
}

TEST(Process, CapturesOutputAndExitCode) {
  auto r = run_process({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, quick());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_FALSE(r->succeeded());
  EXPECT_EQ(r->describe(), "exit 3: err");
}

TEST(Process, RunsWithTheGivenEnvironmentOnly) {
  ::setenv("NEXUS_MDE_LEAK_CHECK", "leaked", 1);
  ProcessOptions o = quick();
  o.environment = {"ONLY=this"};
  auto r = run_process({"/usr/bin/env"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "ONLY=this\n");
}

TEST(Process, TimeoutKillsTheWholeProcessGroup) {
  testing::ScratchDir dir;
  auto marker = dir / "grandchild.pid";
  auto started = std::chrono::steady_clock::now();
  auto r = run_process({"/bin/sh", "-c", "sleep 30 & echo $! > " + marker.string() + "; wait"}, quick(300ms));
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_LT(elapsed, 5s);
  pid_t grandchild = std::stoi(testing::read_file(marker));
  // The sleeping grandchild was in the group: it is gone (or a zombie of init about to be reaped).
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    gone = ::kill(grandchild, 0) != 0;
    if (!gone) {
      std::string stat = testing::read_file("/proc/" + std::to_string(grandchild) + "/stat");
      gone = stat.find(") Z") != std::string::npos;
    }
    if (!gone) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(gone);
}

TEST(Process, ChildThatClosesOutputButHangsStillTimesOut) {
  auto r = run_process({"/bin/sh", "-c", "exec >&- 2>&-; sleep 30"}, quick(300ms));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
}

TEST(Process, OutputCapKillsTheChild) {
  ProcessOptions o = quick();
  o.output_cap = 1000;
  auto r = run_process({"/bin/sh", "-c", "yes"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->output_capped);
  EXPECT_EQ(r->out.size(), 1000u);
}

TEST(Process, ReportsSignals) {
  auto r = run_process({"/bin/sh", "-c", "kill -SEGV $$"}, quick());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signal, SIGSEGV);
  EXPECT_NE(r->describe().find("signal 11"), std::string::npos);
}

TEST(Process, FeedsStdin) {
  ProcessOptions o = quick();
  o.stdin_data = std::string(200000, 'x');
  auto r = run_process({"/usr/bin/wc", "-c"}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "200000\n");
}

TEST(Process, MissingProgramIsAnError) {
  auto r = run_process({"/nonexistent/mdatp", "health"}, quick());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().describe().find("/nonexistent/mdatp"), std::string::npos);
}

}  // namespace
}  // namespace nexus_mde
