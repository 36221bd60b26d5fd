// Panel 6's rows, "Page walk", for addresses of the real guest at a
// cross-module call, against an independent walk of guest memory written from
// the SDM (ref_walk.h) and the guest's documented layout (docs/guest.md):
// the kernel at 0xFFFFFFFF80000000 is mapped with 2 MiB global pages; module k
// uses PDPT entry k of the module area, so while fs sits in slot 1 the app's
// GiB is not present at the PDPTE level; slot 0 is unmapped (null guard).
#include <gtest/gtest.h>

#include "mmu/arch.h"
#include "tests/ui/guest_fixture.h"
#include "tests/ui/ref_walk.h"
#include "ui/model/session.h"
#include "ui/model/walk_vm.h"

namespace slot::ui::test {
namespace {

void expect_same_walk(GuestRun& g, uint64_t va, const WalkView& v, const RefWalk& ref) {
  ASSERT_EQ(v.rows.size(), ref.steps.size()) << std::hex << va;
  for (size_t i = 0; i < ref.steps.size(); ++i) {
    const RefStep& s = ref.steps[i];
    const WalkRow& r = v.rows[i];
    EXPECT_EQ(r.level, mmu::level_name(s.level));
    EXPECT_EQ(r.index, unsigned((va >> (12 + 9 * (s.level - 1))) & 511));
    EXPECT_EQ(r.entry_pa, s.entry_pa) << r.level;
    // The panel shows the value the walk used; A/D may be set by this very walk.
    EXPECT_EQ(r.raw & ~(x86::PTE_A | x86::PTE_D), s.raw & ~(x86::PTE_A | x86::PTE_D)) << r.level;
    EXPECT_EQ(r.leaf, s.leaf) << r.level;
  }
  EXPECT_EQ(v.ok, ref.ok);
  (void)g;
}

class WalkAtCall : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
    g_ = std::make_unique<GuestRun>();
    g_->until("call:1");
    g_->frame();
  }
  WalkView walk(uint64_t va, RefWalk& ref) {
    Requests r;
    r.walk = true;
    r.walk_addr = va;
    const Frame f = g_->frame(r);
    EXPECT_TRUE(f.has_walk);
    ref = ref_walk([&](uint64_t pa) { return g_->read64(pa); }, f.view->regs.cr3, va);
    return make_walk(f.walk);
  }
  std::unique_ptr<GuestRun> g_;
};

TEST_F(WalkAtCall, KernelCodeIsA2MGlobalPage) {
  const uint64_t rip = g_->e->make_view().regs.rip;
  ASSERT_GE(rip, 0xFFFFFFFF80000000ull) << "the call is announced by the kernel";
  RefWalk ref;
  const WalkView v = walk(rip, ref);
  expect_same_walk(*g_, rip, v, ref);
  ASSERT_TRUE(ref.ok);
  EXPECT_EQ(ref.page_shift, 21u);
  ASSERT_EQ(v.rows.size(), 3u);
  EXPECT_NE(v.rows[2].bits.find("PS"), std::string::npos);
  EXPECT_NE(v.rows[2].bits.find("G"), std::string::npos);
  EXPECT_NE(v.result.find(hex(ref.pa)), std::string::npos) << v.result;
  EXPECT_NE(v.result.find("2M page"), std::string::npos) << v.result;
}

TEST_F(WalkAtCall, CalleeModuleIsMapped4K) {
  const auto& c = g_->hist.calls;
  ASSERT_FALSE(c.empty());
  uint64_t base = 0;
  for (const auto& m : g_->e->modules())
    if (m.id == c[0].callee) base = m.base;
  ASSERT_NE(base, 0u);
  RefWalk ref;
  const WalkView v = walk(base, ref);
  expect_same_walk(*g_, base, v, ref);
  ASSERT_TRUE(ref.ok) << "the callee's image is in the module area now";
  EXPECT_EQ(ref.page_shift, 12u);
  ASSERT_EQ(v.rows.size(), 4u);
  EXPECT_EQ(v.rows[0].index, 1u) << "the module area is PML4 slot 1";
}

TEST_F(WalkAtCall, CallerModuleIsGoneAtThePdpte) {
  const auto& c = g_->hist.calls;
  ASSERT_FALSE(c.empty());
  uint64_t base = 0;
  for (const auto& m : g_->e->modules())
    if (m.id == c[0].caller) base = m.base;
  ASSERT_NE(base, 0u);
  RefWalk ref;
  const WalkView v = walk(base, ref);
  expect_same_walk(*g_, base, v, ref);
  EXPECT_FALSE(v.ok);
  ASSERT_EQ(v.rows.size(), 2u) << "PML4E present (callee's PDPT), PDPTE not present";
  EXPECT_TRUE(v.rows[1].failed);
  EXPECT_NE(v.result.find("not-present"), std::string::npos) << v.result;
  EXPECT_NE(v.result.find("PDPTE"), std::string::npos) << v.result;
}

TEST_F(WalkAtCall, NullGuardSlotZero) {
  RefWalk ref;
  const WalkView v = walk(0x1000, ref);
  expect_same_walk(*g_, 0x1000, v, ref);
  EXPECT_FALSE(v.ok);
  ASSERT_EQ(v.rows.size(), 1u);
  EXPECT_EQ(v.rows[0].level, "PML4E");
  EXPECT_EQ(v.rows[0].index, 0u);
}

TEST(WalkView, FormatsA2MLeafAndTheCacheVerdict) {
  // A hand-made walk (the oracle is the SDM's bit layout, not the MMU).
  mmu::DebugWalk w;
  w.linear = 0xFFFFFFFF80200123ull;
  w.ok = true;
  w.pa = 0x200123;
  w.size = mmu::PageSize::M2;
  w.perms.w = true;
  mmu::WalkStep s4{4, 0x1000 + 511 * 8, 0x2003, false, false};
  mmu::WalkStep s3{3, 0x2000 + 510 * 8, 0x3003, true, false};
  mmu::WalkStep s2{2, 0x3000 + 1 * 8, 0x2001E3, false, true};
  w.steps = {s4, s3, s2};
  w.tlb_hit = true;
  w.tlb_array = "stlb";
  w.tlb_stale = true;
  w.psc_level = 3;
  const WalkView v = make_walk(w);
  ASSERT_EQ(v.rows.size(), 3u);
  EXPECT_EQ(v.rows[0].index, 511u);
  EXPECT_EQ(v.rows[1].index, 510u);
  EXPECT_EQ(v.rows[2].index, 1u);
  EXPECT_EQ(v.rows[2].bits, "P W A D PS G -> 0x200000");
  EXPECT_NE(v.rows[1].note.find("PDPTE cache"), std::string::npos);
  EXPECT_NE(v.rows[2].note.find("2M"), std::string::npos);
  EXPECT_TRUE(v.stale);
  EXPECT_NE(v.cache.find("STALE"), std::string::npos);
  EXPECT_NE(v.cache.find("stlb"), std::string::npos);
}

}  // namespace
}  // namespace slot::ui::test

namespace slot::ui::test {
namespace {

// The tree and the side-by-side comparison: the same module-area address
// before and after the next call's slot swap. Which levels differ is decided
// by the independent walk (ref_walk.h) of guest memory at both moments.
TEST(WalkTree, ComparesTwoMomentsAcrossASlotSwap) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:1");
  g.frame();
  uint64_t base = 0;
  for (const auto& m : g.e->modules())
    if (m.id == g.hist.calls[0].callee) base = m.base;
  ASSERT_NE(base, 0u);
  auto at_now = [&](RefWalk& ref) {
    Requests r;
    r.walk = true;
    r.walk_addr = base;
    const Frame f = g.frame(r);
    ref = ref_walk([&](uint64_t pa) { return g.read64(pa); }, f.view->regs.cr3, base);
    return make_walk_tree(make_walk(f.walk), f.view->regs.cr3, "t");
  };
  RefWalk ra, rb;
  WalkTree a = at_now(ra);
  WalkTree same = at_now(rb);
  compare_trees(a, same);
  for (const TreeLevel& l : a.levels) EXPECT_FALSE(l.differs) << l.level << ": the same moment twice";
  EXPECT_FALSE(a.end_differs);
  ASSERT_EQ(a.levels.size(), ra.steps.size());
  for (size_t i = 0; i < ra.steps.size(); ++i) {
    EXPECT_EQ(a.levels[i].table, ra.steps[i].entry_pa & ~0xFFFull);
    EXPECT_EQ(a.levels[i].raw & ~0x60ull, ra.steps[i].raw & ~0x60ull);
  }
  // Run to the first call whose callee is another module (slot 1 rewritten).
  const WalkTree before = a;
  for (int k = 0; k < 20; ++k) {
    ASSERT_EQ(run_until(*g.e, "call:1"), "");
    g.frame();
    if (g.hist.calls.back().callee != g.hist.calls[0].callee) break;
  }
  ASSERT_NE(g.hist.calls.back().callee, g.hist.calls[0].callee);
  WalkTree after = at_now(rb);
  WalkTree left = before;
  compare_trees(left, after);
  const size_t n = std::max(ra.steps.size(), rb.steps.size());
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    const bool both = i < ra.steps.size() && i < rb.steps.size();
    const bool differs = !both || (ra.steps[i].entry_pa != rb.steps[i].entry_pa) ||
                         ((ra.steps[i].raw ^ rb.steps[i].raw) & ~0x60ull) != 0;
    any |= differs;
    if (i < left.levels.size()) {
      EXPECT_EQ(left.levels[i].differs, differs) << "before, level " << i;
    }
    if (i < after.levels.size()) {
      EXPECT_EQ(after.levels[i].differs, differs) << "after, level " << i;
    }
  }
  EXPECT_TRUE(any) << "another module in slot 1: the walk of the old callee's base changed";
  EXPECT_TRUE(ra.steps[0].raw != rb.steps[0].raw) << "the PML4E (slot 1) was rewritten";
}

}  // namespace
}  // namespace slot::ui::test
