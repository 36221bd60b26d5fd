// History queries against ground truth taken live by a second engine that
// stops at every call and return: the PML4 of every address space read from
// RAM at that moment, the MMU's own statistics counters, instruction counts.
// The first engine never stops, so its answers come only from the
// "what changed" log it kept while running.
#include <gtest/gtest.h>

#include <map>

#include "mmu/arch.h"
#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

struct LivePoint {
  uint64_t icount;
  std::map<uint64_t, std::vector<SlotEntry>> pml4;  // cr3 -> present entries, read from RAM
  mmu::MmuStats stats;
};

std::vector<LivePoint> live_points(const std::string& cmdline) {
  auto b = test::boot(cmdline);
  Engine& e = *b.e;
  e.add_point(StopPoint::on(EventKind::Call));
  e.add_point(StopPoint::on(EventKind::Return));
  std::vector<LivePoint> out;
  for (;;) {
    const StopInfo s = e.cont();
    if (s.reason != StopReason::Point) break;
    LivePoint p;
    p.icount = e.events()[s.event].icount;
    for (const AddressSpace& a : e.spaces()) {
      std::vector<SlotEntry>& v = p.pml4[a.cr3];
      for (unsigned i = 0; i < 512; ++i) {
        uint64_t x = 0;
        e.read_phys(a.pml4 + 8 * i, &x, 8);
        if (x & x86::PTE_P) v.push_back({uint16_t(i), x});
      }
    }
    p.stats = e.machine().mmu().stats();
    out.push_back(std::move(p));
  }
  return out;
}

class HistoryTest : public ::testing::TestWithParam<const char*> {};

TEST_P(HistoryTest, Pml4AtEveryPointMatchesMemoryAtThatMoment) {
  const std::vector<LivePoint> live = live_points(GetParam());
  auto b = test::boot(GetParam());
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  ASSERT_EQ(e.history().size(), live.size());
  ASSERT_GT(live.size(), 20u);
  for (size_t p = 0; p < live.size(); ++p) {
    EXPECT_EQ(e.events()[e.history()[p].event].icount, live[p].icount);
    for (const SpaceView& v : e.pml4_at_point(p)) {
      auto it = live[p].pml4.find(v.cr3);
      ASSERT_NE(it, live[p].pml4.end()) << "point " << p;
      ASSERT_EQ(v.slots.size(), it->second.size()) << "point " << p << " space " << v.name;
      for (size_t i = 0; i < v.slots.size(); ++i) {
        EXPECT_EQ(v.slots[i].slot, it->second[i].slot);
        // The walker may have set A since (SDM Vol. 3A §4.8); the engine logs
        // software's rewrites, not A updates.
        EXPECT_EQ(v.slots[i].value | x86::PTE_A, it->second[i].value | x86::PTE_A)
            << "point " << p << " space " << v.name << " slot " << v.slots[i].slot;
      }
    }
  }
}

TEST_P(HistoryTest, TlbDeltasAddUpToTheMmuCounters) {
  const std::vector<LivePoint> live = live_points(GetParam());
  auto b = test::boot(GetParam());
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  ASSERT_EQ(e.history().size(), live.size());
  TlbDelta sum;
  for (size_t p = 0; p < live.size(); ++p) {
    sum += e.history()[p].delta;
    EXPECT_EQ(sum.l1_misses, live[p].stats.l1_misses) << "point " << p;
    EXPECT_EQ(sum.l2_misses, live[p].stats.l2_misses) << "point " << p;
    EXPECT_EQ(sum.walks, live[p].stats.walks) << "point " << p;
    EXPECT_EQ(sum.walk_refs, live[p].stats.walk_refs) << "point " << p;
    EXPECT_EQ(sum.insns, live[p].icount) << "point " << p;
  }
}

INSTANTIATE_TEST_SUITE_P(Guest, HistoryTest,
                         ::testing::Values("workload=demo flush=cr3", "workload=demo flush=pcid",
                                           "workload=selftest flush=invlpg"));

TEST(History, CallStacksAndCosts) {
  auto b = test::boot("workload=demo");
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  for (const CallRecord& c : e.calls()) {
    // The stack at the call ends with the call; its length is the guest's depth;
    // each frame's callee is the next frame's caller.
    std::vector<uint32_t> stack;
    for (const TaskStackView& s : e.stacks_at_call(c.index))
      if (s.task == c.task) stack = s.calls;
    ASSERT_FALSE(stack.empty());
    EXPECT_EQ(stack.back(), c.index);
    EXPECT_EQ(stack.size(), c.depth);
    for (size_t i = 1; i < stack.size(); ++i)
      EXPECT_EQ(e.calls()[stack[i - 1]].callee, e.calls()[stack[i]].caller);
    ASSERT_TRUE(c.returned);
    // Counted from the caller's kernel entry to the kernel's exit back to it.
    ASSERT_NE(c.entry_icount, kNone64);
    ASSERT_NE(c.exit_icount, kNone64);
    EXPECT_LT(c.entry_icount, c.enter_icount);
    EXPECT_GT(c.exit_icount, c.return_icount);
    EXPECT_EQ(c.wall.insns, c.exit_icount - c.entry_icount);
    EXPECT_LE(c.inclusive.insns, c.wall.insns);
    uint64_t children = 0;
    for (const CallRecord& d : e.calls())
      if (d.parent == c.index) children += d.inclusive.insns;
    EXPECT_EQ(c.exclusive.insns + children, c.inclusive.insns);
  }
}

}  // namespace
}  // namespace slot::engine
