// Replacement order per policy. The oracle for tree-PLRU is the textbook
// bit-tree (one bit per inner node, flipped on every access to point away
// from the accessed half), independent of the stamp-based implementation.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

#include "mmu/mmu.h"
#include "mmu/tlb_array.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

// Bit-tree PLRU over ways [lo, hi), split as [lo, lo + ceil(n/2)) | rest.
struct BitPlru {
  struct Node { unsigned lo, mid, hi; bool right; int l = -1, r = -1; };
  std::vector<Node> nodes;
  int build(unsigned lo, unsigned hi) {
    if (hi - lo <= 1) return -1;
    const unsigned mid = lo + (hi - lo + 1) / 2;
    nodes.push_back(Node{lo, mid, hi, false});
    const int me = int(nodes.size()) - 1;
    const int l = build(lo, mid), r = build(mid, hi);
    nodes[me].l = l, nodes[me].r = r;
    return me;
  }
  explicit BitPlru(unsigned n) { build(0, n); }
  void touch(unsigned way) {
    for (int i = nodes.empty() ? -1 : 0; i >= 0;) {
      Node& nd = nodes[i];
      const bool in_right = way >= nd.mid;
      nd.right = !in_right;  // point away from the accessed half
      i = in_right ? nd.r : nd.l;
    }
  }
  unsigned victim() const {
    unsigned lo = 0;
    for (int i = nodes.empty() ? -1 : 0; i >= 0;) {
      const Node& nd = nodes[i];
      lo = nd.right ? nd.mid : nd.lo;
      i = nd.right ? nd.r : nd.l;
    }
    return lo;
  }
};

// Drives one TlbArray set the way the Mmu does: a fill or a hit stamps the way.
struct SetDriver {
  uint32_t epochs[4096] = {};
  TlbArray arr;
  uint64_t clock = 0;
  SetDriver(unsigned ways, Policy p, uint64_t seed = 1)
      : arr(ArrayConfig{"t", 1, Side::Data, size_bit(PageSize::K4), 1, ways, p}, seed, epochs) {}
  unsigned fill(uint64_t vpn) {
    bool ev = false;
    const unsigned w = arr.choose_way(PageSize::K4, vpn, 0, false, ev);
    if (arr.live(arr.at(0, w))) arr.kill(0, w);
    TlbEntry& e = arr.at(0, w);
    e = TlbEntry{};
    e.vpn = vpn, e.valid = true;
    arr.stamp(0, w) = ++clock;
    arr.commit(0, w);
    return w;
  }
  void hit(unsigned way) { arr.stamp(0, way) = ++clock; }
};

TEST(MmuReplacement, TreePlruMatchesBitTree) {
  for (unsigned ways : {2u, 3u, 4u, 6u, 8u, 12u, 16u}) {  // unrolled and generic descents
    SetDriver d(ways, Policy::Plru);
    BitPlru oracle(ways);
    std::mt19937 rng(ways);
    for (unsigned i = 0; i < ways; ++i) {  // cold fills take invalid ways in order
      ASSERT_EQ(d.fill(1000 + i), i);
      oracle.touch(i);
    }
    uint64_t vpn = 5000;
    for (int step = 0; step < 2000; ++step) {
      if (rng() % 3) {
        const unsigned w = rng() % ways;
        d.hit(w);
        oracle.touch(w);
      } else {
        const unsigned want = oracle.victim();
        ASSERT_EQ(d.fill(vpn++), want) << ways << " ways, step " << step;
        oracle.touch(want);
      }
    }
  }
}

// Ways never used (stamp 0) against the bit tree with its bits as reset
// (pointing left): a node neither half of which was used chooses left, one
// with one half used chooses the other. (A full set never has such ties --
// every way was filled -- so the test above cannot reach them.)
TEST(MmuReplacement, TreePlruTiesGoLeftLikeResetBits) {
  Rng unused(1);
  for (unsigned ways : {2u, 3u, 4u, 6u, 8u, 12u, 16u}) {
    std::mt19937 rng(ways + 100);
    for (int trial = 0; trial < 200; ++trial) {
      BitPlru oracle(ways);
      std::vector<uint64_t> stamps(ways, 0);
      const unsigned touches = rng() % ways;  // fewer than the ways: some are never used
      for (unsigned t = 1; t <= touches; ++t) {
        const unsigned w = rng() % ways;
        stamps[w] = t;
        oracle.touch(w);
      }
      ASSERT_EQ(pick_victim(Policy::Plru, stamps.data(), ways, unused), oracle.victim())
          << ways << " ways, trial " << trial;
    }
  }
}

TEST(MmuReplacement, LruEvictsLeastRecentlyUsed) {
  SetDriver d(4, Policy::Lru);
  for (unsigned i = 0; i < 4; ++i) d.fill(10 + i);  // ways 0..3 = A B C D
  d.hit(0);                                          // A
  EXPECT_EQ(d.fill(20), 1u);                         // B is the LRU
  d.hit(2), d.hit(3);
  EXPECT_EQ(d.fill(21), 0u);                         // A, then E(1), C, D
  EXPECT_EQ(d.fill(22), 1u);
}

TEST(MmuReplacement, RandomIsSeededAndCoversAllWays) {
  SetDriver a(8, Policy::Random, 42), b(8, Policy::Random, 42), c(8, Policy::Random, 43);
  for (unsigned i = 0; i < 8; ++i) a.fill(i), b.fill(i), c.fill(i);
  std::vector<unsigned> seen(8, 0);
  bool differs = false;
  for (unsigned i = 0; i < 400; ++i) {
    const unsigned wa = a.fill(100 + i), wb = b.fill(100 + i), wc = c.fill(100 + i);
    EXPECT_EQ(wa, wb);
    differs = differs || wa != wc;
    ++seen[wa];
  }
  EXPECT_TRUE(differs);
  for (unsigned w = 0; w < 8; ++w) EXPECT_GT(seen[w], 20u) << w;
}

// choose_way(absent = true), used right after a lookup of the page missed,
// stops at the first way not live; it must pick what the full scan picks.
TEST(MmuReplacement, AbsentHintChoosesWhatTheFullScanChooses) {
  uint32_t epochs[4096] = {};
  for (Policy p : {Policy::Lru, Policy::Plru}) {
    TlbArray arr(ArrayConfig{"t", 1, Side::Data, size_bit(PageSize::K4), 2, 4, p}, 1, epochs);
    std::mt19937 rng(3);
    uint64_t clock = 0;
    unsigned checked = 0;
    for (int step = 0; step < 20000; ++step) {
      const uint64_t vpn = rng() % 24;
      const uint16_t pcid = uint16_t(rng() % 3);
      const bool global = rng() % 8 == 0;
      if (rng() % 16 == 0) {  // a CR3 load: this PCID's non-global entries die
        arr.expire(pcid);
        ++epochs[pcid];
        continue;
      }
      if (arr.lookup(PageSize::K4, vpn, pcid) >= 0) continue;
      bool ev_full = false, ev_hint = false;
      const unsigned full = arr.choose_way(PageSize::K4, vpn, pcid, global, ev_full);
      ASSERT_EQ(arr.choose_way(PageSize::K4, vpn, pcid, global, ev_hint, true), full) << step;
      ASSERT_EQ(ev_hint, ev_full) << step;
      ++checked;
      const unsigned set = arr.set_of(vpn);
      if (arr.live(arr.at(set, full))) arr.kill(set, full);
      TlbEntry& e = arr.at(set, full);
      e = TlbEntry{};
      e.vpn = vpn, e.pcid = pcid, e.global = global, e.valid = true;
      arr.stamp(set, full) = ++clock;
      arr.commit(set, full);
    }
    EXPECT_GT(checked, 5000u);
  }
}

// Through the whole model: "tiny" has a 2-set, 2-way LRU L1 DTLB for 4K.
TEST(MmuReplacement, TinyPresetEvictionsAreVisible) {
  PhysMemory mem(8 << 20);
  PtBuilder pt(mem);
  for (unsigned i = 0; i < 8; ++i) pt.map(0x40'0000 + i * 0x1000, 0x10'0000 + i * 0x1000, PageSize::K4);
  Mmu mmu(mem, "tiny");
  mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4, kEfer});
  auto rd = [&](unsigned page) {
    PhysAddr pa;
    Fault f;
    EXPECT_TRUE(mmu.translate(0x40'0000 + page * 0x1000, Access::Read, AccessCtx{}, pa, f));
  };
  auto in_l1 = [&](unsigned page) {
    for (const TlbDumpEntry& d : mmu.dump())
      if (d.array == "l1d_4k" && d.entry.linear() == 0x40'0000 + page * 0x1000) return true;
    return false;
  };
  rd(0), rd(2), rd(0), rd(4);  // set 0: 0 and 2, then 0 used, so 2 goes
  EXPECT_TRUE(in_l1(0));
  EXPECT_FALSE(in_l1(2));
  EXPECT_TRUE(in_l1(4));
  EXPECT_EQ(mmu.stats().arrays[2].evictions, 1u);
  const uint64_t walks = mmu.stats().walks;
  rd(2);  // back from the STLB, no walk
  EXPECT_EQ(mmu.stats().walks, walks);
  EXPECT_EQ(mmu.stats().l2_hits, 1u);
}

}  // namespace
}  // namespace slot::mmu::test
