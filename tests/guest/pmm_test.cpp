// The guest's physical page allocator, run on the host. Oracle: the
// allocator's contract (4 KiB-aligned frames inside the range, each at most
// once, exhaustion reported as 0), checked by brute force.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "guest/kernel/pmm.h"

TEST(GuestPmm, HandsOutEveryFrameOnceThenZero) {
  auto a = std::make_unique<PageAllocator>();
  a->init(0x200000, 0x200000 + 64 * 4096);
  EXPECT_EQ(a->total(), 64u);
  std::set<uint64_t> seen;
  for (int i = 0; i < 64; ++i) {
    uint64_t pa = a->alloc();
    ASSERT_NE(pa, 0u);
    EXPECT_EQ(pa % 4096, 0u);
    EXPECT_GE(pa, 0x200000u);
    EXPECT_LT(pa, 0x200000u + 64 * 4096);
    EXPECT_TRUE(seen.insert(pa).second) << "frame handed out twice";
  }
  EXPECT_EQ(a->alloc(), 0u);
  EXPECT_EQ(a->free_count(), 0u);
}

TEST(GuestPmm, FreeMakesAFrameAvailableAgainAndRejectsBadFrees) {
  auto a = std::make_unique<PageAllocator>();
  a->init(0x100000, 0x100000 + 4 * 4096);
  uint64_t f[4];
  for (auto& x : f) x = a->alloc();
  EXPECT_TRUE(a->free(f[2]));
  EXPECT_FALSE(a->free(f[2])) << "double free accepted";
  EXPECT_FALSE(a->free(0x100000 + 4 * 4096)) << "frame outside the range accepted";
  EXPECT_FALSE(a->free(f[0] + 8)) << "unaligned address accepted";
  EXPECT_EQ(a->alloc(), f[2]);
  EXPECT_EQ(a->alloc(), 0u);
}

TEST(GuestPmm, RoundsTheRangeInward) {
  auto a = std::make_unique<PageAllocator>();
  a->init(0x100001, 0x100000 + 3 * 4096 + 100);  // first frame 0x101000, last whole frame ends 0x103000
  EXPECT_EQ(a->total(), 2u);
  EXPECT_EQ(a->alloc(), 0x101000u);
}

TEST(GuestPmm, ClipsToOneGiB) {
  auto a = std::make_unique<PageAllocator>();
  a->init(0, 4ull << 30);
  EXPECT_EQ(a->total(), (1ull << 30) / 4096);
}
