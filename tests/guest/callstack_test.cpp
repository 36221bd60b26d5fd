// Call-stack bookkeeping and the buffer rules of the cross-module call, run on
// the host. Oracle: the design's rules (docs/guest.md "buffers") and the
// memory layout's addresses computed here by hand.
#include <gtest/gtest.h>

#include "guest/kernel/callstack.h"

namespace {
constexpr uint64_t GiB = 1ull << 30;
constexpr uint64_t module_gib(unsigned id) { return (1ull << 39) + id * GiB; }
constexpr uint64_t kPrivate = 2ull << 39;
}  // namespace

TEST(GuestBuffers, ClassifiesByArea) {
  EXPECT_EQ(classify_buffer(0, 0, 1, 0), BufKind::None);
  EXPECT_EQ(classify_buffer(module_gib(1) + 0x1000, 64, 1, 0), BufKind::ModuleArea);
  EXPECT_EQ(classify_buffer(module_gib(2) + 0x1000, 64, 1, 0), BufKind::Bad) << "another module's GiB";
  EXPECT_EQ(classify_buffer(module_gib(1) + GiB - 32, 64, 1, 0), BufKind::Bad) << "runs into the next GiB";
  EXPECT_EQ(classify_buffer(0xFFFFFFFF80100000ull, 8, 1, 0), BufKind::Bad) << "kernel pointer";
  EXPECT_EQ(classify_buffer(0x1000, 8, 1, 0), BufKind::Bad) << "null slot";
  EXPECT_EQ(classify_buffer(~0ull - 8, 64, 1, 0), BufKind::Bad) << "wraps";
  EXPECT_EQ(classify_buffer(module_gib(1), (64 << 10) + 1, 1, 0), BufKind::Bad) << "over 64 KiB";
  EXPECT_EQ(classify_buffer(module_gib(1), 64 << 10, 1, 0), BufKind::ModuleArea);
}

TEST(GuestBuffers, WindowsAreForwardableOnlyFromTheCurrentDepth) {
  uint64_t w1 = kPrivate + GiB + 1 * 16 * (1ull << 20);  // depth-1 window base, by hand
  EXPECT_EQ(layout::window_base(1), w1);
  EXPECT_EQ(classify_buffer(w1 + 0x10, 100, 2, 1), BufKind::Window);
  EXPECT_EQ(classify_buffer(w1 + 0x10, 100, 2, 2), BufKind::Bad) << "a window of another depth";
  EXPECT_EQ(classify_buffer(w1 + 0x10, 100, 2, 0), BufKind::Bad) << "depth 0 has no window";
  uint64_t stack0 = kPrivate + (1ull << 20) - 64;  // inside the depth-0 stack window
  EXPECT_EQ(classify_buffer(stack0, 32, 1, 0), BufKind::Stack) << "the caller's own stack: passed, its pages copied";
  EXPECT_EQ(classify_buffer(stack0, 32, 1, 1), BufKind::Bad) << "another depth's stack window";
  EXPECT_EQ(classify_buffer(stack0 + 32, 64, 1, 0), BufKind::Bad) << "running past the top of the stack window";
}

TEST(GuestBuffers, PageArithmetic) {
  EXPECT_EQ(pages_spanned(0x1000, 4096), 1u);
  EXPECT_EQ(pages_spanned(0x1FF0, 32), 2u);
  EXPECT_EQ(pages_spanned(0x1001, 64 << 10), 17u);
  EXPECT_LE(pages_spanned(0x1FFF, 64 << 10), MAX_BUF_PAGES);
  uint64_t w = window_va(3, 1, module_gib(1) + 0x1234);
  EXPECT_EQ(w & 0xFFF, 0x234u) << "same offset within the page: mapped, not copied";
  EXPECT_EQ(w & ~0xFFFull, layout::window_base(3) + BUF_SLOT_PAGES * 4096ull);
}

TEST(GuestCallStack, PushesUpToTheDepthLimit) {
  CallStack cs;
  EXPECT_EQ(cs.depth(), 0u);
  EXPECT_EQ(cs.top(), nullptr);
  for (unsigned d = 1; d < layout::MAX_DEPTH; ++d) {
    CallFrame* f = cs.push();
    ASSERT_NE(f, nullptr) << d;
    f->op = d;
  }
  EXPECT_EQ(cs.depth(), layout::MAX_DEPTH - 1);
  EXPECT_TRUE(cs.full());
  EXPECT_EQ(cs.push(), nullptr);
  EXPECT_EQ(cs.frame_for(3)->op, 3u);
  EXPECT_EQ(cs.frame_for(0), nullptr);
  cs.pop();
  EXPECT_EQ(cs.top()->op, layout::MAX_DEPTH - 2);
}

TEST(GuestModuleLock, RecursiveAtOneDepthExclusiveAcrossTasks) {
  ModuleLock l;
  EXPECT_TRUE(l.try_acquire(1, 0));
  EXPECT_TRUE(l.try_acquire(1, 0)) << "recursive at the depth that holds it";
  EXPECT_FALSE(l.try_acquire(1, 2)) << "A -> B -> A: the inner A must not enter the outer A's critical section";
  EXPECT_FALSE(l.try_acquire(2, 0));
  EXPECT_FALSE(l.release(2, 0));
  EXPECT_FALSE(l.release(1, 2)) << "not held at depth 2";
  EXPECT_TRUE(l.release(1, 0));
  EXPECT_FALSE(l.try_acquire(2, 0));
  EXPECT_TRUE(l.release(1, 0));
  EXPECT_TRUE(l.try_acquire(2, 0));
}

TEST(GuestModuleLock, UnwindReleasesOnlyWhatTheUnwoundDepthsTook) {
  ModuleLock l;
  ASSERT_TRUE(l.try_acquire(1, 2));
  l.release_if_at_or_above(1, 3);  // a deeper callee faulted: not this one's
  EXPECT_EQ(l.count(), 1u);
  EXPECT_FALSE(l.try_acquire(2, 0)) << "depth 2 still holds it";
  l.release_if_at_or_above(1, 2);  // the depth-2 callee faulted
  EXPECT_EQ(l.count(), 0u);
  EXPECT_TRUE(l.try_acquire(2, 0));
}
