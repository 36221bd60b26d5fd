// Panel 7's rows, "TLB", on the real guest. Oracles: the Skylake geometry of
// docs/mmu.md (from Intel's optimization manual, independent of the preset
// code); set selection by the low VPN bits (a set-associative TLB's index);
// every entry usable now translating like an independent walk of memory
// (ref_walk.h) when no stale translation is possible (flush=cr3); and
// hand-made dumps for the fill marks.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "mmu/arch.h"
#include "tests/ui/guest_fixture.h"
#include "tests/ui/ref_walk.h"
#include "ui/model/tlb_vm.h"

namespace slot::ui::test {
namespace {

TEST(TlbView, SkylakeGeometry) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  const Frame f = g.frame();
  const TlbView v = make_tlb(f, nullptr, g.hist);
  std::multiset<std::pair<unsigned, unsigned>> tlbs;  // (entries, ways)
  std::multiset<unsigned> pscs;
  for (const TlbGrid& grid : v.grids) {
    EXPECT_EQ(grid.cells.size(), size_t(grid.info.sets) * grid.info.ways) << grid.info.name;
    if (grid.info.psc) pscs.insert(grid.info.sets * grid.info.ways);
    else tlbs.insert({grid.info.sets * grid.info.ways, grid.info.ways});
  }
  // L1 ITLB 4K 128x8, L1 DTLB 4K 64x4, 2M/4M 32x4, 1G 4 entries; STLB 1536x12, 1G 16x4.
  EXPECT_TRUE(tlbs.count({128, 8}));
  EXPECT_TRUE(tlbs.count({64, 4}));
  EXPECT_TRUE(tlbs.count({32, 4}));
  EXPECT_TRUE(tlbs.count({1536, 12}));
  EXPECT_TRUE(tlbs.count({16, 4}));
  EXPECT_TRUE(std::any_of(tlbs.begin(), tlbs.end(), [](auto p) { return p.first == 4; }));
  // Paging-structure caches: PML4E 4, PDPTE 8, PDE 32 entries.
  EXPECT_TRUE(pscs.count(4));
  EXPECT_TRUE(pscs.count(8));
  EXPECT_TRUE(pscs.count(32));
}

TEST(TlbView, EntriesInTheCalleeTranslateLikeMemory) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:2");
  // Let the callee run a while so the arrays hold its pages, then on to ring
  // 3: inside the kernel an entry may legally be stale between a PTE store
  // and its flush (SDM Vol. 3A 4.10.4), and 20,000 instructions can land there.
  g.e->cont(20000);
  // Two ring-3 instructions in a row: the first refills the entry serving RIP.
  for (int i = 0, user = 0; i < 100000 && user < 2; ++i) {
    g.e->step(engine::StepKind::Insn);
    user = g.e->make_view().regs.cpl() == 3 ? user + 1 : 0;
  }
  ASSERT_EQ(g.e->make_view().regs.cpl(), 3);
  const Frame f = g.frame();
  const TlbView v = make_tlb(f, nullptr, g.hist);
  const engine::View& view = *f.view;
  const uint16_t pcid = (view.regs.cr4 & x86::CR4_PCIDE) ? uint16_t(view.regs.cr3 & 0xFFF) : 0;
  unsigned checked = 0, valid = 0, fetch = 0;
  for (const TlbGrid& grid : v.grids) {
    unsigned count = 0;
    for (unsigned s = 0; s < grid.info.sets; ++s)
      for (unsigned w = 0; w < grid.info.ways; ++w) {
        const TlbCell& c = grid.at(s, w);
        if (!c.valid) continue;
        ++count;
        if (grid.info.psc) continue;
        EXPECT_EQ(c.e.vpn & (grid.info.sets - 1), s) << grid.info.name << " entry in the wrong set";
        fetch += c.serves_fetch;
        if (c.e.pcid != pcid && !c.e.global) continue;
        const RefWalk ref = ref_walk([&](uint64_t pa) { return g.read64(pa); }, view.regs.cr3, c.e.linear());
        ASSERT_TRUE(ref.ok) << grid.info.name << " " << c.text;
        EXPECT_EQ(ref.pa, c.e.phys()) << grid.info.name << " " << c.text;
        ++checked;
      }
    EXPECT_EQ(count, grid.valid);
    valid += count;
  }
  EXPECT_EQ(valid, f.tlb.size());
  EXPECT_GT(checked, 10u);
  EXPECT_GE(fetch, 1u) << "the entry serving RIP is marked";
  // Counters come from the MMU's statistics.
  EXPECT_EQ(v.l1_misses, view.stats.l1_misses);
  EXPECT_GT(v.l1_hits, 0u);
  // One miss-rate sample per history point.
  EXPECT_EQ(v.l1_mpki.size(), g.hist.points.size());
}

TEST(TlbView, FillsAgainstThePreviousStop) {
  auto entry = [](uint64_t vpn, uint64_t pfn) {
    mmu::TlbDumpEntry d;
    d.array = "dtlb";
    d.set = unsigned(vpn & 3);
    d.way = 0;
    d.entry.vpn = vpn;
    d.entry.pfn = pfn;
    return d;
  };
  Frame before, after;
  before.tlb_arrays = after.tlb_arrays = {{"dtlb", 4, 2, 1, false, "D 4K"}};
  before.tlb = {entry(0x10, 0x100), entry(0x11, 0x101)};
  mmu::TlbDumpEntry moved = entry(0x21, 0x222);  // replaces 0x11 in set 1 way 0
  mmu::TlbDumpEntry added = entry(0x12, 0x102);  // a new entry in set 2
  after.tlb = {entry(0x10, 0x100), moved, added};
  History h;
  const TlbView v = make_tlb(after, &before, h);
  ASSERT_EQ(v.grids.size(), 1u);
  const TlbGrid& g = v.grids[0];
  EXPECT_EQ(g.valid, 3u);
  EXPECT_FALSE(g.at(0, 0).filled);
  EXPECT_TRUE(g.at(1, 0).filled);
  EXPECT_NE(g.at(1, 0).replaced.find("11 -> 101"), std::string::npos) << g.at(1, 0).replaced;
  EXPECT_TRUE(g.at(2, 0).filled);
  EXPECT_TRUE(g.at(2, 0).replaced.empty());
  EXPECT_FALSE(g.at(3, 0).valid);
}

}  // namespace
}  // namespace slot::ui::test
