// What this machine's CPUs give a busy program right now. One thread per CPU, pinned to it,
// works through a small table in steps and reads the clock between steps:
// - a jump between two reads far longer than a step is time the thread did not run. On this
//   machine kind the host takes such time from the virtual CPUs in bursts, and the guest's own
//   accounting does not show it (/proc/stat's steal stays 0; the time counts as user time);
// - the steps per running millisecond, each CPU's against the fastest's, show a CPU that runs
//   but slower (the host's other work beside it).
// - then arithmetic with many independent chains (what cores that share execution units, as
//   hyperthreads do, take from each other) runs on each CPU alone and on all at once: the
//   throughput of all at once as a percent of the sum alone. A host that puts our virtual CPUs
//   on one physical core's two hyperthreads slows two busy threads, not one.
// A 0.16 s report run with two busy threads pays for any of these in full; jq's 1.9 s runs on
// one thread average them out. The benchmark prints these figures next to each report run.
//
// cpu-availability-probe [MILLISECONDS]: prints "<percent of the time lost> <the slowest CPU's
// steps per running millisecond> <that as a percent of the fastest CPU's> <percent kept when
// all CPUs compute at once>". The steps are the same work on every CPU; their absolute number
// compares runs on one machine kind only.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
volatile std::uint64_t sink;                           // the work's result, so it is not optimized away
constexpr auto kGap = std::chrono::microseconds(200);  // a step takes about a microsecond
constexpr std::size_t kTableWords = 32 * 1024;         // 256 KiB: in the core's own caches

struct Reading {
  Clock::duration lost{};
  Clock::duration ran{};
  std::uint64_t steps = 0;
  std::uint64_t checksum = 0;
};

void pin_to(unsigned cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);  // best effort: unpinned still measures
}

Reading spin_on(unsigned cpu, Clock::duration length) {
  pin_to(cpu);
  std::vector<std::uint64_t> table(kTableWords);
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = i * 0x9E3779B97F4A7C15ULL;
  Reading r;
  std::uint64_t x = 1;  // the same walk on every CPU
  auto start = Clock::now();
  auto last = start;
  while (last - start < length) {
    for (int i = 0; i < 64; ++i) {  // one step: dependent loads and arithmetic
      x = table[x % kTableWords] ^ (x * 0xBF58476D1CE4E5B9ULL);
      table[(x >> 7) % kTableWords] += x;
    }
    ++r.steps;
    auto now = Clock::now();
    auto gap = now - last;
    if (gap > kGap)
      r.lost += gap;
    else
      r.ran += gap;
    last = now;
  }
  r.checksum = x;
  return r;
}

// Iterations per millisecond of independent multiply-adds on `cpu`.
double compute_on(unsigned cpu, Clock::duration length) {
  pin_to(cpu);
  std::uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, rounds = 0;
  auto start = Clock::now();
  while (Clock::now() - start < length) {
    for (int i = 0; i < 1000; ++i) {
      a = a * 3 + b, b = b * 5 + c, c = c * 7 + d, d = d * 9 + e;
      e = e * 11 + f, f = f * 13 + g, g = g * 15 + h, h = h * 17 + a;
    }
    ++rounds;
  }
  sink = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
  return static_cast<double>(rounds) / std::chrono::duration<double, std::milli>(length).count();
}

// All CPUs computing at once, as a percent of their sum one at a time.
double percent_kept_together(unsigned cpus) {
  constexpr auto kLength = std::chrono::milliseconds(80);
  double alone = 0;
  for (unsigned i = 0; i < cpus; ++i) alone += compute_on(i, kLength);
  std::vector<double> together(cpus);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < cpus; ++i) threads.emplace_back([&, i] { together[i] = compute_on(i, kLength); });
  for (auto& t : threads) t.join();
  double sum = 0;
  for (double x : together) sum += x;
  return alone > 0 ? 100.0 * sum / alone : 0;
}

}  // namespace

int main(int argc, char** argv) {
  long ms = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000;
  if (ms <= 0 || ms > 60'000) {
    std::fprintf(stderr, "usage: cpu-availability-probe [MILLISECONDS, 1..60000]\n");
    return 2;
  }
  auto length = std::chrono::milliseconds(ms);
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  std::vector<Reading> readings(cpus);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < cpus; ++i) threads.emplace_back([&, i] { readings[i] = spin_on(i, length); });
  for (auto& t : threads) t.join();

  using Ms = std::chrono::duration<double, std::milli>;
  double lost = 0, slowest = 0, fastest = 0;
  std::uint64_t checksum = 0;
  for (const auto& r : readings) {
    lost += Ms(r.lost).count();
    double speed = r.ran.count() > 0 ? static_cast<double>(r.steps) / Ms(r.ran).count() : 0;
    slowest = slowest == 0 ? speed : std::min(slowest, speed);
    fastest = std::max(fastest, speed);
    checksum ^= r.checksum;
  }
  double percent_lost = 100.0 * lost / (Ms(length).count() * cpus);
  double percent_speed = fastest > 0 ? 100.0 * slowest / fastest : 0;
  sink = checksum;
  std::printf("%.1f %.0f %.0f %.0f\n", percent_lost, slowest, percent_speed, percent_kept_together(cpus));
  return 0;
}
