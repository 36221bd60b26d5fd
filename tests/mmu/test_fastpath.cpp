// The inline fast path must never change what the model does. Oracle: the
// same model with an observer attached, which switches the fast path off so
// every access takes the slow path. A random workload (accesses of every
// kind and class, page-table edits without invalidation, INVLPG, INVPCID,
// CR3 loads with and without bit 63, CR0/CR4 changes) must give identical
// results, statistics and TLB contents. The same workload checks snapshots:
// a model restored from save() continues exactly like the original.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <random>

#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

struct World {
  PhysMemory mem{32 << 20};
  PtBuilder pt{mem};
  PtBuilder pt2{mem, 0x80'0000};
  std::vector<uint64_t> pages;
  World() {
    for (unsigned i = 0; i < 40; ++i) {
      const uint64_t va = 0x40'0000 + uint64_t(i % 20) * 0x1000 + uint64_t(i / 20) * 0x20'0000 * 7;
      pt.map(va, 0x100'0000 + i * 0x1000, PageSize::K4, kPWU | (i % 3 ? 0 : x86::PTE_NX));
      pt2.map(va, 0x140'0000 + i * 0x1000, PageSize::K4);
      pages.push_back(va);
    }
    for (unsigned i = 0; i < 4; ++i) {  // large pages, some global
      const uint64_t va = 0x0000'0100'0000'0000ull + i * 0x20'0000;
      pt.map(va, 0x40'0000 * (i + 1), PageSize::M2, kPWU | (i & 1 ? x86::PTE_G : 0));
      pt2.map(va, 0x40'0000 * (i + 1), PageSize::M2, kPWU | (i & 1 ? x86::PTE_G : 0));
      pages.push_back(va + 0x5000);
    }
    pt.map(0x0000'0180'0000'0000ull, 0x4000'0000ull, PageSize::G1);
    pages.push_back(0x0000'0180'0000'0000ull + 0x1234'5000);
  }
};

struct NullObserver : MmuObserver {};

void run(std::mt19937& rng, World& w, Mmu& m, std::vector<uint64_t>& trace, unsigned steps) {
  for (unsigned s = 0; s < steps; ++s) {
    const unsigned op = rng() % 100;
    const uint64_t va = w.pages[rng() % w.pages.size()] + (rng() % 4096 & ~7u);
    if (op < 80) {
      const Access acc = Access(rng() % 3);
      const AccessCtx who{uint8_t(rng() % 2 ? 3 : 0), bool(rng() % 2), rng() % 8 == 0};
      PhysAddr pa = 0;
      Fault f;
      const bool ok = m.translate(va, acc, who, pa, f);
      trace.push_back(ok ? pa : (uint64_t(1) << 63) | f.error_code);
    } else if (op < 86) {
      // Edit a leaf without invalidation: flip W or U, or repoint it.
      const uint64_t leaf = w.pages[rng() % 40];
      const uint64_t e = w.pt.get(leaf, 1);
      const unsigned k = rng() % 3;
      w.pt.set(leaf, 1, k == 0 ? e ^ x86::PTE_W : k == 1 ? e ^ x86::PTE_U : e ^ 0x1000);
    } else if (op < 90) {
      m.invlpg(va);
    } else if (op < 93) {
      const uint64_t root = rng() % 2 ? w.pt.cr3 : w.pt2.cr3;
      m.write_cr3(root | (rng() % 4) | (rng() % 2 ? x86::CR3_NOFLUSH : 0));
    } else if (op < 95) {
      trace.push_back(m.invpcid(rng() % 4, rng() % 4, va));
    } else if (op < 97) {
      m.write_cr0(kCr0 | (rng() % 2 ? x86::CR0_WP : 0));
    } else {
      m.write_cr4(kCr4 | x86::CR4_PCIDE | (rng() % 2 ? x86::CR4_PGE : 0) |
                  (rng() % 2 ? x86::CR4_SMAP : 0) | (rng() % 4 == 0 ? x86::CR4_SMEP : 0));
    }
  }
}

void expect_same(const Mmu& a, const Mmu& b) {
  const MmuStats sa = a.stats(), sb = b.stats();
  EXPECT_EQ(sa.translations, sb.translations);
  EXPECT_EQ(sa.walks, sb.walks);
  EXPECT_EQ(sa.l2_hits, sb.l2_hits);
  EXPECT_EQ(sa.faults, sb.faults);
  ASSERT_EQ(sa.arrays.size(), sb.arrays.size());
  for (size_t i = 0; i < sa.arrays.size(); ++i) {
    EXPECT_EQ(sa.arrays[i].hits, sb.arrays[i].hits) << sa.arrays[i].name;
    EXPECT_EQ(sa.arrays[i].fills, sb.arrays[i].fills) << sa.arrays[i].name;
    EXPECT_EQ(sa.arrays[i].evictions, sb.arrays[i].evictions) << sa.arrays[i].name;
    EXPECT_EQ(sa.arrays[i].invalidations, sb.arrays[i].invalidations) << sa.arrays[i].name;
  }
  ASSERT_EQ(sa.spaces.size(), sb.spaces.size());
  for (size_t i = 0; i < sa.spaces.size(); ++i)
    EXPECT_EQ(sa.spaces[i].c.l1_hits, sb.spaces[i].c.l1_hits);
  const auto da = a.dump(), db = b.dump();
  ASSERT_EQ(da.size(), db.size());
  for (size_t i = 0; i < da.size(); ++i) {
    EXPECT_EQ(da[i].array, db[i].array);
    EXPECT_EQ(da[i].entry.vpn, db[i].entry.vpn);
    EXPECT_EQ(da[i].entry.pfn, db[i].entry.pfn);
    EXPECT_EQ(da[i].age, db[i].age);
  }
}

class MmuFastPath : public ::testing::TestWithParam<const char*> {};

TEST_P(MmuFastPath, SameResultsAsTheObservedSlowPath) {
  World w1, w2;
  auto fast = std::make_unique<Mmu>(w1.mem, GetParam());
  auto slow = std::make_unique<Mmu>(w2.mem, GetParam());
  NullObserver obs;
  slow->set_observer(&obs);
  for (Mmu* m : {fast.get(), slow.get()})
    m->reset_mode(PagingMode{kCr0, w1.pt.cr3, kCr4 | x86::CR4_PCIDE, kEfer});
  std::mt19937 r1(7), r2(7);
  std::vector<uint64_t> t1, t2;
  run(r1, w1, *fast, t1, 60000);
  run(r2, w2, *slow, t2, 60000);
  ASSERT_EQ(t1.size(), t2.size());
  for (size_t i = 0; i < t1.size(); ++i) ASSERT_EQ(t1[i], t2[i]) << "event " << i;
  expect_same(*fast, *slow);
  EXPECT_GT(fast->stats().arrays.empty() ? 1 : fast->stats().arrays[2].hits, 0u);
  // Never two live entries of one array for one page and PCID (a fill
  // refreshes in place).
  std::set<std::tuple<std::string, uint64_t, int, uint16_t, bool>> seen;
  for (const TlbDumpEntry& d : fast->dump()) {
    const auto k = std::make_tuple(d.array, d.entry.vpn, int(d.entry.size), d.entry.global ? uint16_t(0) : d.entry.pcid,
                                   d.entry.global);
    EXPECT_TRUE(seen.insert(k).second) << d.array << " vpn " << d.entry.vpn;
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, MmuFastPath, ::testing::Values("skylake", "tiny", "icelake"));

// A read's L1 entry also fills the write slot of its page when a write
// through it would need no walk (D set, write allowed), and a write's entry
// fills the read slot. Checked against what the slow path does: a write
// through an entry with D=0 must still walk and set D (SDM Vol. 3A §4.8), a
// read-only page must still refuse the write, and every counter and use
// stamp must be the observed model's.
TEST(MmuFastPath, OneAccessKindFillsTheOtherOnlyWhereNoWalkOrFaultIsSkipped) {
  // walks: whether the two accesses of the second kind walk once.
  struct Case { const char* what; uint64_t leaf; Access first, second; bool ok; bool walks; };
  const Case cases[] = {
      {"read, then write, D set", kPWU | x86::PTE_D, Access::Read, Access::Write, true, false},
      {"read, then write, D clear", kPWU, Access::Read, Access::Write, true, true},
      // (the first refusal drops the entry, §4.10.4.1, so the second write walks)
      {"read, then write, read-only", (kPWU & ~x86::PTE_W) | x86::PTE_D, Access::Read, Access::Write,
       false, true},
      {"write, then read", kPWU, Access::Write, Access::Read, true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    World w1, w2;
    const uint64_t va = 0x0000'0200'0000'0000ull;
    w1.pt.map(va, 0x180'0000, PageSize::K4, c.leaf);
    w2.pt.map(va, 0x180'0000, PageSize::K4, c.leaf);
    Mmu fast(w1.mem, "skylake"), slow(w2.mem, "skylake");
    NullObserver obs;
    slow.set_observer(&obs);
    const AccessCtx user{3, false, false};
    for (Mmu* m : {&fast, &slow}) m->reset_mode(PagingMode{kCr0, w1.pt.cr3, kCr4, kEfer});
    PhysAddr pa = 0;
    Fault f;
    for (Mmu* m : {&fast, &slow}) ASSERT_TRUE(m->translate(va + 8, c.first, user, pa, f));
    const uint64_t walks = fast.totals().walks;
    for (Mmu* m : {&fast, &slow}) {
      EXPECT_EQ(m->translate(va + 16, c.second, user, pa, f), c.ok);
      EXPECT_EQ(m->translate(va + 24, c.second, user, pa, f), c.ok);  // the fast path, if anything
    }
    EXPECT_EQ(fast.totals().walks - walks, c.walks ? 1u : 0u);
    EXPECT_EQ(w1.pt.get(va, 1), w2.pt.get(va, 1)) << "the same A/D bits in memory";
    if (c.first == Access::Read && c.leaf == kPWU) {
      EXPECT_TRUE(w1.pt.get(va, 1) & x86::PTE_D);
    }
    expect_same(fast, slow);
  }
}

// A write through an L1 entry with D=0 walks again and refreshes that entry
// in place, even when an earlier way of its set is free (an INVLPG made the
// hole): one entry per page, never two.
TEST(MmuFastPath, DirtyRewalkRefreshesInPlace) {
  World w;
  const uint64_t a = 0x0000'0300'0000'0000ull, b = a + 16 * 0x1000;  // one l1d_4k set (16 sets)
  w.pt.map(a, 0x1A0'0000, PageSize::K4);
  w.pt.map(b, 0x1A1'0000, PageSize::K4);  // D clear
  Mmu m(w.mem, "skylake");
  m.reset_mode(PagingMode{kCr0, w.pt.cr3, kCr4, kEfer});
  PhysAddr pa = 0;
  Fault f;
  ASSERT_TRUE(m.translate(a, Access::Read, AccessCtx{}, pa, f));
  ASSERT_TRUE(m.translate(b, Access::Read, AccessCtx{}, pa, f));
  m.invlpg(a);
  ASSERT_TRUE(m.translate(b, Access::Write, AccessCtx{}, pa, f));
  EXPECT_TRUE(w.pt.get(b, 1) & x86::PTE_D);
  unsigned l1 = 0, l2 = 0;
  for (const TlbDumpEntry& d : m.dump()) {
    if (d.psc || d.entry.linear() != b) continue;
    l1 += d.array == "l1d_4k";
    l2 += d.array == "stlb";
  }
  EXPECT_EQ(l1, 1u);
  EXPECT_EQ(l2, 1u);
}

TEST(MmuSnapshot, RestoredModelContinuesIdentically) {
  World w1, w2;
  auto a = std::make_unique<Mmu>(w1.mem, "tiny");
  a->reset_mode(PagingMode{kCr0, w1.pt.cr3, kCr4 | x86::CR4_PCIDE, kEfer});
  std::mt19937 ra(11);
  std::vector<uint64_t> ta, tb;
  run(ra, w1, *a, ta, 20000);
  // Make w2 the same memory image, then restore a second model into it.
  std::memcpy(w2.mem.data(), w1.mem.data(), w1.mem.size());
  const std::vector<uint8_t> blob = a->save();
  auto b = std::make_unique<Mmu>(w2.mem, "tiny");
  b->load(blob);
  EXPECT_EQ(b->mode().cr3, a->mode().cr3);
  std::mt19937 rb = ra;
  ta.clear();
  run(ra, w1, *a, ta, 20000);
  run(rb, w2, *b, tb, 20000);
  ASSERT_EQ(ta, tb);
  expect_same(*a, *b);
  // A blob from another geometry is refused.
  auto c = std::make_unique<Mmu>(w2.mem, "skylake");
  EXPECT_THROW(c->load(blob), std::runtime_error);
}

}  // namespace
}  // namespace slot::mmu::test
