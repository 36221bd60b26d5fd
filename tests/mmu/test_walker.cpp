// walk_into() reuses one result record across walks and resets only what a
// reader looks at (mmu/walker.h); walk() returns a fresh record. Over a
// random mix of walks -- every page size, faults at every level, reserved
// bits, rights refusals, A/D updates, starts at CR3 and at a deeper table as
// a paging-structure cache supplies -- both must report the same thing and
// leave the same page tables, whatever the reused record held before.
#include <gtest/gtest.h>

#include <iterator>
#include <random>

#include "mmu/perms.h"
#include "mmu/walker.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

constexpr uint64_t kRam = 16 << 20;

// The same layout in any memory: 4K, 2M and 1G pages, user and supervisor,
// read-only, NX, A/D clear, a not-present leaf, a not-present table, and an
// entry with a reserved bit.
void build(PtBuilder& pt) {
  const uint64_t P = x86::PTE_P, W = x86::PTE_W, U = x86::PTE_U;
  for (unsigned i = 0; i < 8; ++i)
    pt.map(0x40'0000 + i * 0x1000, 0x80'0000 + i * 0x1000, PageSize::K4,
           P | (i & 1 ? W : 0) | (i & 2 ? U : 0) | (i & 4 ? x86::PTE_NX : 0) | (i == 5 ? x86::PTE_A : 0));
  pt.map(0x60'0000, 0xA0'0000, PageSize::M2, P | W | U | x86::PTE_A | x86::PTE_D | x86::PTE_G);
  pt.map(0x4000'0000, 0xC000'0000, PageSize::G1, P | U);
  pt.map(0x0080'0000'0000ull, 0x90'0000, PageSize::K4, P | W | U, P | U);  // read-only above
  pt.set(0x40'0000 + 3 * 0x1000, 1, pt.get(0x40'0000 + 3 * 0x1000, 1) & ~P);
  pt.map(0x0100'0000'1000ull, 0x91'0000, PageSize::K4);
  pt.set(0x0100'0000'1000ull, 2, 0);  // its page table unmapped: not present at level 2
  pt.map(0x0180'0000'0000ull, 0x92'0000, PageSize::K4);
  pt.set(0x0180'0000'0000ull, 1, pt.get(0x0180'0000'0000ull, 1) | (1ull << 51));  // reserved
}

void expect_same(const WalkResult& a, const WalkResult& b, int step) {
  ASSERT_EQ(a.ok, b.ok) << step;
  EXPECT_EQ(a.failed, b.failed) << step;
  EXPECT_EQ(a.fail_level, b.fail_level) << step;
  EXPECT_EQ(a.page, b.page) << step;
  EXPECT_EQ(a.size, b.size) << step;
  EXPECT_EQ(a.perms, b.perms) << step;
  EXPECT_EQ(a.global, b.global) << step;
  EXPECT_EQ(a.mem_refs, b.mem_refs) << step;
  EXPECT_EQ(a.ad_writes, b.ad_writes) << step;
  ASSERT_EQ(a.prov.n, b.prov.n) << step;
  EXPECT_EQ(a.prov.top_level, b.prov.top_level) << step;
  for (unsigned i = 0; i < a.prov.n; ++i) {
    EXPECT_EQ(a.prov.pa[i], b.prov.pa[i]) << step;
    EXPECT_EQ(a.prov.val[i], b.prov.val[i]) << step;
  }
  ASSERT_EQ(a.nsteps, b.nsteps) << step;
  for (unsigned i = 0; i < a.nsteps; ++i) {
    const WalkStep &x = a.steps[i], &y = b.steps[i];
    EXPECT_TRUE(x.level == y.level && x.entry_pa == y.entry_pa && x.raw == y.raw && x.leaf == y.leaf &&
                x.set_a == y.set_a && x.set_d == y.set_d && x.failed == y.failed && x.from_psc == y.from_psc)
        << step << " step " << i;
  }
  for (unsigned l = 1; l <= 4; ++l) {
    ASSERT_EQ(a.passed[l], b.passed[l]) << step << " level " << l;
    if (!a.passed[l]) continue;  // (a reader looks at these only for levels passed)
    EXPECT_EQ(a.next_table[l], b.next_table[l]) << step << " level " << l;
    EXPECT_EQ(a.through[l], b.through[l]) << step << " level " << l;
  }
}

TEST(MmuWalker, WalkIntoAReusedRecordReportsWhatAFreshWalkReports) {
  // Two memories with the same tables at the same addresses: walk() runs on
  // one, walk_into() on the other, so their A/D updates can be compared.
  PhysMemory m1(kRam), m2(kRam);
  PtBuilder p1(m1), p2(m2);
  build(p1);
  build(p2);
  ASSERT_EQ(p1.cr3, p2.cr3);
  const uint64_t vas[] = {0x40'0000, 0x40'1008, 0x40'2010, 0x40'3000, 0x40'4ff8, 0x40'5000, 0x40'6000, 0x40'7000,
                          0x60'1234, 0x4000'5678, 0x0080'0000'0010ull, 0x0100'0000'1000ull,
                          0x0180'0000'0000ull, 0x0200'0000'0000ull, 0x1234'5678'9000ull};
  std::mt19937 rng(7);
  WalkResult reused;
  // A record full of stale values from an earlier, deeper walk.
  walk_into(m2, WalkRequest{0x40'0000, Access::Read, kSup, PagingMode{kCr0, p2.cr3, kCr4, kEfer}, false, true},
            WalkStart{4, p1.cr3}, reused);
  unsigned deep = 0, failed = 0, ok = 0;
  for (int step = 0; step < 3000; ++step) {
    const uint64_t va = vas[rng() % std::size(vas)];
    const Access acc = Access(rng() % 3);
    const unsigned cls = rng() % 3;
    const bool effects = rng() % 4 != 0, perms = rng() % 5 != 0;
    const PagingMode mode{kCr0 | (rng() % 2 ? x86::CR0_WP : 0), p1.cr3, kCr4 | (rng() % 2 ? x86::CR4_SMEP : 0),
                          kEfer};
    // Half the walks start below the PML4, at the PDPT or page directory the
    // upper levels name (as after a PSC hit), with those levels' provenance.
    WalkStart st{4, p1.cr3};
    Provenance above;
    if (rng() % 2) {
      const WalkResult probe = walk(m1, WalkRequest{va, Access::Read, kSup, mode, false, false}, st);
      const unsigned level = probe.passed[4] && probe.passed[3] && rng() % 2 ? 2 : probe.passed[4] ? 3 : 4;
      if (level < 4) {
        above = probe.prov;
        above.n = uint8_t(4 - level);
        st = WalkStart{level, probe.next_table[level + 1], probe.through[level + 1], &above, level + 1};
        ++deep;
      }
    }
    const WalkRequest rq{va, acc, cls, mode, effects, perms};
    const WalkResult fresh = walk(m1, rq, st);
    walk_into(m2, rq, st, reused);
    expect_same(fresh, reused, step);
    if (::testing::Test::HasFatalFailure()) return;
    ++(fresh.ok ? ok : failed);
  }
  EXPECT_GT(deep, 500u);
  EXPECT_GT(ok, 500u);
  EXPECT_GT(failed, 500u);
  // Same A/D updates: the page tables are byte for byte equal.
  for (uint64_t a = 0x10'0000; a < p1.next; a += 8) ASSERT_EQ(m1.read(a, 8), m2.read(a, 8)) << std::hex << a;
}

// Guest RAM is a 2 MiB-aligned, zero-filled mapping (phys.h: huge pages).
TEST(MmuPhysMemory, RamStartsOnAHugePageBoundaryAndReadsZero) {
  PhysMemory mem(6 << 20);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(mem.data()) % (2 << 20), 0u);
  EXPECT_EQ(mem.read(0, 8), 0u);
  EXPECT_EQ(mem.read((6 << 20) - 8, 8), 0u);
  mem.write((6 << 20) - 8, 8, 0x1122334455667788ull);
  EXPECT_EQ(mem.read((6 << 20) - 8, 8), 0x1122334455667788ull);
  EXPECT_EQ(mem.read(6 << 20, 8), ~0ull);  // beyond RAM: all ones
}

}  // namespace
}  // namespace slot::mmu::test
