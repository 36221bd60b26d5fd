// Stale translations: the model keeps using cached entries after the page
// tables change (SDM Vol. 3A §4.10.4.2: software must invalidate), the
// paging-structure caches keep an old PML4E's subtree alive (§4.10.3.1 "may
// retain"), Detect mode names the changed entry, and the non-architectural
// flush-on-write mode behaves as if the caches were coherent.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

struct Recorder : MmuObserver {
  std::vector<StaleEvent> stale;
  std::vector<WalkEvent> steps;
  std::vector<TlbEvent> tlb, psc;
  std::vector<Cr3Event> cr3;
  void on_stale(const StaleEvent& e) override { stale.push_back(e); }
  void on_walk_step(const WalkEvent& e) override { steps.push_back(e); }
  void on_tlb(const TlbEvent& e) override { tlb.push_back(e); }
  void on_psc(const TlbEvent& e) override { psc.push_back(e); }
  void on_cr3(const Cr3Event& e) override { cr3.push_back(e); }
};

struct ModuleRig {
  PhysMemory mem{16 << 20};
  PtBuilder pt{mem};
  Mmu mmu{mem, "skylake"};
  static constexpr uint64_t kSlot1 = x86::SLOT_SIZE;  // PML4 slot 1: the module area
  uint64_t pdpt_a = 0, pdpt_b = 0, pml4e_a = 0, pml4e_b = 0;
  ModuleRig() {
    // Two modules, each its own PDPT for slot 1, mapping the same two pages.
    pt.map(kSlot1 + 0x1000, 0xA1000, PageSize::K4);
    pt.map(kSlot1 + 0x2000, 0xA2000, PageSize::K4);
    pml4e_a = pt.get(kSlot1, 4);
    pdpt_a = pml4e_a & x86::PHYS_ADDR_MASK;
    pdpt_b = pt.alloc();
    pml4e_b = pdpt_b | kPWU;
    pt.set(kSlot1, 4, pml4e_b);
    pt.map(kSlot1 + 0x1000, 0xB1000, PageSize::K4);
    pt.map(kSlot1 + 0x2000, 0xB2000, PageSize::K4);
    pt.set(kSlot1, 4, pml4e_a);
    mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4, kEfer});
  }
  PhysAddr rd(uint64_t va) {
    PhysAddr pa = ~0ull;
    Fault f;
    EXPECT_TRUE(mmu.translate(va, Access::Read, AccessCtx{}, pa, f));
    return pa;
  }
  void swap_to_b() { pt.set(kSlot1, 4, pml4e_b); }
};

TEST(MmuStale, PscRetainsOldSubtreeAfterPml4eChange) {
  ModuleRig r;
  Recorder rec;
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xA1000u);
  r.swap_to_b();  // the cross-module call rewrites the PML4E... and forgets to invalidate
  r.mmu.set_observer(&rec);
  r.mmu.set_stale_mode(StaleMode::Detect);
  // A page never touched: TLB miss, but the PDE cache still holds module A's
  // page table, so the walk goes on from there.
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x2000), 0xA2000u);
  ASSERT_EQ(rec.stale.size(), 1u);
  const StaleEvent& e = rec.stale[0];
  EXPECT_STREQ(e.source, "PDE-cache");
  EXPECT_EQ(e.cached_pa, 0xA2000u);
  EXPECT_TRUE(e.current_ok);
  EXPECT_EQ(e.current_pa, 0xB2000u);
  EXPECT_EQ(e.changed_level, 4u);
  EXPECT_EQ(e.changed_pa, r.pt.cr3 + 8);  // PML4 entry 1
  EXPECT_EQ(e.old_value & ~(x86::PTE_A | x86::PTE_D), r.pml4e_a & ~(x86::PTE_A | x86::PTE_D));
  EXPECT_EQ(e.new_value & x86::PHYS_ADDR_MASK, r.pdpt_b);
  bool from_psc = false;
  for (const WalkEvent& s : rec.steps) from_psc = from_psc || s.step.from_psc;
  EXPECT_TRUE(from_psc);
  // The page touched before: a TLB hit on the old translation.
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xA1000u);
  ASSERT_EQ(rec.stale.size(), 2u);
  EXPECT_STREQ(rec.stale[1].source, "l1d_4k");
  EXPECT_EQ(rec.stale[1].changed_level, 4u);
  // INVLPG of one page fixes that page and drops the PSCs, not the other page.
  r.mmu.invlpg(ModuleRig::kSlot1 + 0x2000);
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x2000), 0xB2000u);
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xA1000u);
  EXPECT_EQ(rec.stale.size(), 3u);
  // A CR3 reload (no global pages involved) fixes everything.
  r.mmu.write_cr3(r.pt.cr3);
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xB1000u);
  EXPECT_EQ(rec.stale.size(), 3u);
  const MmuStats s = r.mmu.stats();
  EXPECT_EQ(s.stale, 3u);
  bool slot1 = false;
  for (const SlotStats& ss : s.slots) slot1 = slot1 || (ss.slot == 1 && ss.c.stale == 3);
  EXPECT_TRUE(slot1);
  r.mmu.set_observer(nullptr);
}

// The "forgot INVLPG" kernel bug: a PTE is repointed without invalidation.
TEST(MmuStale, ForgottenInvlpgIsReportedWithTheChangedEntry) {
  PhysMemory mem(8 << 20);
  PtBuilder pt(mem);
  const uint64_t va = 0x0000'0100'0040'3000ull;
  pt.map(va, 0x3'3000, PageSize::K4);
  Mmu mmu(mem, "skylake");
  mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4, kEfer});
  Recorder rec;
  mmu.set_observer(&rec);
  mmu.set_stale_mode(StaleMode::Detect);
  PhysAddr pa;
  Fault f;
  ASSERT_TRUE(mmu.translate(va, Access::Write, AccessCtx{3, false, false}, pa, f));
  const uint64_t old_pte = pt.get(va, 1);
  pt.set(va, 1, 0x4'4000 | kPWU);  // remap, no INVLPG
  ASSERT_TRUE(mmu.translate(va + 8, Access::Read, AccessCtx{3, false, false}, pa, f));
  EXPECT_EQ(pa, 0x3'3008u);  // the stale translation is used, as hardware may
  ASSERT_EQ(rec.stale.size(), 1u);
  EXPECT_EQ(rec.stale[0].linear, va + 8);
  EXPECT_EQ(rec.stale[0].current_pa, 0x4'4008u);
  EXPECT_EQ(rec.stale[0].changed_level, 1u);
  EXPECT_EQ(rec.stale[0].changed_pa, pt.entry_pa(va, 1));
  EXPECT_EQ(rec.stale[0].old_value, old_pte);
  EXPECT_EQ(rec.stale[0].new_value, 0x4'4000 | kPWU);
  // Unmapping is stale too (current_ok = false).
  pt.set(va, 1, 0);
  ASSERT_TRUE(mmu.translate(va, Access::Read, AccessCtx{3, false, false}, pa, f));
  ASSERT_EQ(rec.stale.size(), 2u);
  EXPECT_FALSE(rec.stale[1].current_ok);
  // Detect is switchable at run time.
  mmu.set_stale_mode(StaleMode::Off);
  ASSERT_TRUE(mmu.translate(va, Access::Read, AccessCtx{3, false, false}, pa, f));
  EXPECT_EQ(rec.stale.size(), 2u);
  mmu.invlpg(va);
  EXPECT_FALSE(mmu.translate(va, Access::Read, AccessCtx{3, false, false}, pa, f));
  mmu.set_observer(nullptr);
}

TEST(MmuStale, FlushOnWriteBehavesAsIfCoherent) {
  ModuleRig r;
  r.mem.set_write_listener([&](PhysAddr pa, unsigned n) { r.mmu.on_phys_write(pa, n); });
  r.mmu.set_stale_mode(StaleMode::FlushOnWrite);
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xA1000u);
  EXPECT_TRUE(r.mem.page_flags(r.pt.cr3) & PF_WATCH);
  r.swap_to_b();
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x2000), 0xB2000u);
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xB1000u);
  // A leaf change as well.
  r.pt.set(ModuleRig::kSlot1 + 0x1000, 1, 0xC1000 | kPWU);
  EXPECT_EQ(r.rd(ModuleRig::kSlot1 + 0x1000), 0xC1000u);
  const MmuStats s = r.mmu.stats();
  EXPECT_GT(s.arrays[2].invalidations[unsigned(InvCause::FlushOnWrite)], 0u);
  // The walker's own A/D writes do not flush anything.
  const uint64_t walks = s.walks;
  r.rd(ModuleRig::kSlot1 + 0x1000);
  EXPECT_EQ(r.mmu.stats().walks, walks);
}

TEST(MmuObserve, WalkStepsAndCr3Events) {
  ModuleRig r;
  Recorder rec;
  r.mmu.set_observer(&rec);
  r.rd(ModuleRig::kSlot1 + 0x1000);
  ASSERT_EQ(rec.steps.size(), 4u);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(rec.steps[i].step.level, 4 - i);
    EXPECT_FALSE(rec.steps[i].step.from_psc);
    EXPECT_EQ(rec.steps[i].step.entry_pa, r.pt.entry_pa(ModuleRig::kSlot1 + 0x1000, 4 - i));
  }
  EXPECT_TRUE(rec.steps[3].step.leaf);
  EXPECT_TRUE(rec.steps[3].step.set_a);
  r.rd(ModuleRig::kSlot1 + 0x1000);  // an L1 hit is reported while observing
  ASSERT_FALSE(rec.tlb.empty());
  EXPECT_EQ(rec.tlb.back().kind, TlbEventKind::Hit);
  EXPECT_STREQ(rec.tlb.back().array, "l1d_4k");
  r.mmu.write_cr3(r.pt.cr3);
  ASSERT_EQ(rec.cr3.size(), 1u);
  EXPECT_GE(rec.cr3[0].tlb_flushed, 2u);  // l1d_4k + stlb
  EXPECT_GE(rec.cr3[0].psc_flushed, 3u);
  r.mmu.set_observer(nullptr);
}

}  // namespace
}  // namespace slot::mmu::test
