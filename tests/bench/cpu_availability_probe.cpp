// How much of the machine's CPUs a busy program actually gets: one thread per CPU spins reading
// the clock, and every jump between two reads longer than kGap is time the thread did not run.
// On this machine kind the host takes such time from both virtual CPUs in bursts (up to half of
// it for tens of milliseconds), and the guest's own accounting does not show it: /proc/stat's
// steal stays 0 and the lost time is counted as the program's user time. A 0.17 s report run
// that lands in a burst takes 0.22 s or more; jq's 1.9 s runs average it out. The benchmark
// prints this figure next to the report's so a slow run can be told from a slow report.
//
// cpu-availability-probe [MILLISECONDS]: prints "<percent lost> <longest gap ms>".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kGap = std::chrono::microseconds(200);  // far above a clock read (tens of ns)

struct Lost {
  Clock::duration total{};
  Clock::duration longest{};
};

Lost spin_for(Clock::duration length) {
  Lost lost;
  auto start = Clock::now();
  auto last = start;
  while (last - start < length) {
    auto now = Clock::now();
    auto gap = now - last;
    if (gap > kGap) {
      lost.total += gap;
      lost.longest = std::max(lost.longest, gap);
    }
    last = now;
  }
  return lost;
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
  std::vector<Lost> lost(cpus);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < cpus; ++i) threads.emplace_back([&, i] { lost[i] = spin_for(length); });
  for (auto& t : threads) t.join();
  Clock::duration total{}, longest{};
  for (const auto& l : lost) {
    total += l.total;
    longest = std::max(longest, l.longest);
  }
  using Ms = std::chrono::duration<double, std::milli>;
  double percent = 100.0 * Ms(total).count() / (Ms(length).count() * cpus);
  std::printf("%.1f %.1f\n", percent, Ms(longest).count());
  return 0;
}
