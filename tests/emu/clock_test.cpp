// Clock: the instruction count as the only time base, and the timer queue
// the run loop drives (next_deadline / advance).
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "emu/devices/clock.h"

using slot::emu::Clock;

namespace {

TEST(Clock, RejectsRatesSlowerThanThePit) {
  EXPECT_THROW(Clock(1'000'000), std::invalid_argument);
  EXPECT_NO_THROW(Clock(2 * 1'193'182));
}

TEST(Clock, TickConversionsAreExactInverses) {
  std::mt19937_64 rng(3);
  for (uint64_t ips : {1'000'000'000ull, 2'386'364ull, 3'000'000'007ull}) {
    Clock c(ips);
    for (int i = 0; i < 20000; ++i) {
      uint64_t hz = (i & 1) ? 1'193'182 : 32'768;
      uint64_t k = rng() % (1ull << 40);
      uint64_t n = c.icount_at_tick(k, hz);
      // n is the first instruction count at which k ticks have elapsed.
      ASSERT_GE(c.ticks(n, hz), k);
      if (n) {
        ASSERT_LT(c.ticks(n - 1, hz), k);
      }
    }
  }
  Clock c;
  EXPECT_EQ(c.ns(1'000'000'000), 1'000'000'000u);  // default: 1 instruction = 1 ns
  EXPECT_EQ(c.ticks(1'000'000'000, 1'193'182), 1'193'182u);
}

TEST(Clock, FiresInDeadlineOrderAndRearms) {
  Clock c;
  std::vector<std::pair<int, uint64_t>> fired;
  Clock::TimerId a = 0, b = 0;
  a = c.add_timer("a", [&](uint64_t when) {
    fired.push_back({0, when});
    if (when < 300) c.arm(a, when + 100);  // periodic
  });
  b = c.add_timer("b", [&](uint64_t when) { fired.push_back({1, when}); });
  c.arm(a, 100);
  c.arm(b, 100);
  EXPECT_EQ(c.next_deadline(), 100u);
  c.advance(99);
  EXPECT_TRUE(fired.empty());
  c.advance(1000);  // late: every event is still replayed at its own deadline
  std::vector<std::pair<int, uint64_t>> want = {{0, 100}, {1, 100}, {0, 200}, {0, 300}};
  EXPECT_EQ(fired, want);
  EXPECT_EQ(c.next_deadline(), Clock::kNever);
  c.arm(b, 5000);
  c.disarm(b);
  EXPECT_EQ(c.next_deadline(), Clock::kNever);
}

TEST(Clock, BoundCounterIsNow) {
  Clock c;
  uint64_t icount = 42;
  c.bind_icount(&icount);
  EXPECT_EQ(c.now(), 42u);
  icount = 7'000;
  EXPECT_EQ(c.now(), 7'000u);
}

}  // namespace
