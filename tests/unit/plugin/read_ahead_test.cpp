#include "plugin/report/read_ahead.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace nexus_mde::plugin {
namespace {

// An input of `chunks` chunks of different sizes, each byte telling its position.
class CountingInput {
 public:
  explicit CountingInput(std::size_t chunks) : chunks_(chunks) {}

  Result<std::size_t> fill(std::span<char> buffer) {
    ++calls;
    reader = std::this_thread::get_id();
    if (produced_ == chunks_) return std::size_t{0};
    std::size_t size = std::min(buffer.size(), 1000 + 7919 * produced_ % 5000);
    for (std::size_t i = 0; i < size; ++i) buffer[i] = static_cast<char>('a' + (text.size() + i) % 26);
    text.append(buffer.data(), size);
    ++produced_;
    return size;
  }

  std::atomic<std::size_t> calls = 0;
  std::thread::id reader;
  std::string text;  // everything filled so far

 private:
  std::size_t chunks_;
  std::size_t produced_ = 0;
};

TEST(ReadAhead, DeliversEveryChunkInOrderFromAnotherThread) {
  CountingInput input(3 * kReadAheadChunks + 1);
  std::string received;
  std::size_t chunks = 0;
  auto r = read_ahead([&](std::span<char> b) { return input.fill(b); },
                      [&](std::string_view chunk) {
                        received.append(chunk);
                        ++chunks;
                        return true;
                      });
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE(*r);
  EXPECT_EQ(chunks, 3 * kReadAheadChunks + 1);
  EXPECT_EQ(received, input.text);
  EXPECT_NE(input.reader, std::this_thread::get_id());
}

TEST(ReadAhead, AnEmptyInputCallsNoSink) {
  CountingInput input(0);
  bool called = false;
  auto r = read_ahead([&](std::span<char> b) { return input.fill(b); },
                      [&](std::string_view) { return called = true; });
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_FALSE(called);
}

TEST(ReadAhead, ReadsTheNextChunksWhileTheSinkWorks) {
  CountingInput input(2 * kReadAheadChunks);
  std::size_t calls_seen_by_first_chunk = 0;
  auto r =
      read_ahead([&](std::span<char> b) { return input.fill(b); },
                 [&](std::string_view) {
                   if (calls_seen_by_first_chunk == 0) {
                     // Read synchronously, the fill would not be called again before this returns.
                     auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
                     while (input.calls < kReadAheadChunks && std::chrono::steady_clock::now() < give_up) {
                       std::this_thread::sleep_for(std::chrono::milliseconds(1));
                     }
                     calls_seen_by_first_chunk = input.calls;
                   }
                   return true;
                 });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(calls_seen_by_first_chunk, kReadAheadChunks);  // the consumed chunk's slot is not refilled yet
}

TEST(ReadAhead, ASinkThatStopsStopsTheReading) {
  std::atomic<std::size_t> fills = 0;
  std::size_t chunks = 0;
  auto r = read_ahead(
      [&](std::span<char> b) -> Result<std::size_t> {
        ++fills;
        std::memset(b.data(), 'x', 10);
        return std::size_t{10};  // an endless input
      },
      [&](std::string_view) { return ++chunks < 3; });
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(chunks, 3u);
  EXPECT_LE(fills, 3 + kReadAheadChunks);  // no more than the ring holds past the last consumed
}

TEST(ReadAhead, AReadErrorComesAfterTheChunksReadBeforeIt) {
  std::size_t fills = 0;
  std::string received;
  auto r = read_ahead(
      [&](std::span<char> b) -> Result<std::size_t> {
        if (++fills > 2) return make_error("the disk is on fire");
        b[0] = static_cast<char>('0' + fills);
        return std::size_t{1};
      },
      [&](std::string_view chunk) {
        received.append(chunk);
        return true;
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "the disk is on fire");
  EXPECT_EQ(received, "12");
}

TEST(ReadAhead, WhatTheSinkOrTheFillThrowsComesOutHere) {
  auto endless = [](std::span<char> b) -> Result<std::size_t> {
    b[0] = 'x';
    return std::size_t{1};
  };
  EXPECT_THROW((void)read_ahead(endless, [](std::string_view) -> bool { throw std::runtime_error("sink"); }),
               std::runtime_error);
  std::size_t fills = 0, chunks = 0;
  EXPECT_THROW((void)read_ahead(
                   [&](std::span<char> b) -> Result<std::size_t> {
                     if (++fills > 1) throw std::length_error("fill");
                     return endless(b);
                   },
                   [&](std::string_view) {
                     ++chunks;
                     return true;
                   }),
               std::length_error);
  EXPECT_EQ(chunks, 1u);
}

}  // namespace
}  // namespace nexus_mde::plugin
