// The guest's page-table builder, run on the host over an array standing in
// for physical memory. Oracle: an independent walk written here from the
// SDM's 4-level layout (Vol. 3A §4.5: PML4 index = bits 47:39, PDPT 38:30,
// PD 29:21, PT 20:12; address bits 51:12; P=bit 0, W=1, U=2, PS=7, NX=63).
#include <gtest/gtest.h>

#include <vector>

#include "guest/kernel/pagetable.h"

namespace {
struct FakePhys {
  std::vector<uint64_t> mem = std::vector<uint64_t>(512 * 64, 0);  // 64 frames
  unsigned next = 1;  // frame 0 stays unused so 0 means "none"
  static uint64_t alloc(void* ctx) {
    auto* p = (FakePhys*)ctx;
    return p->next < 64 ? (uint64_t)(p->next++) << 12 : 0;
  }
  static uint64_t* table(void* ctx, uint64_t pa) { return &((FakePhys*)ctx)->mem[(pa >> 12) * 512]; }
  PtEnv env() { return {alloc, table, this}; }
  uint64_t entry(uint64_t table_pa, unsigned idx) { return mem[(table_pa >> 12) * 512 + idx]; }
};

// Independent 4-level walk: returns the leaf entry or 0.
uint64_t sdm_walk(FakePhys& p, uint64_t root, int level, uint64_t va) {
  uint64_t t = root;
  for (int l = level; l >= 1; --l) {
    unsigned shift = 12 + 9 * (l - 1);
    uint64_t e = p.entry(t, (va >> shift) & 0x1FF);
    if (!(e & 1)) return 0;
    if (l == 1) return e;
    t = e & 0x000FFFFFFFFFF000ull;
  }
  return 0;
}
}  // namespace

TEST(GuestPageTable, MapsFromAPml4Root) {
  FakePhys p;
  PtEnv env = p.env();
  uint64_t root = FakePhys::alloc(&p);
  uint64_t va = 0x0000008040201000ull;  // slot 1, PDPT 1, PD 1, PT 1
  ASSERT_TRUE(pt_map(env, root, 4, va, 0x5000, 0x2 /*W*/ | 0x4 /*U*/ | (1ull << 63)));
  uint64_t leaf = sdm_walk(p, root, 4, va);
  EXPECT_EQ(leaf & 0x000FFFFFFFFFF000ull, 0x5000u);
  EXPECT_EQ(leaf & 0x7, 0x7u);
  EXPECT_TRUE(leaf >> 63);
  EXPECT_NE(p.entry(root, 1) & 1, 0u) << "PML4 entry for slot 1";
  EXPECT_EQ(sdm_walk(p, root, 4, va + 4096), 0u) << "neighbour page must stay unmapped";
  PtTranslation tr;
  ASSERT_TRUE(pt_translate(env, root, 4, va + 0x123, &tr));
  EXPECT_EQ(tr.pa, 0x5123u);
  EXPECT_TRUE(tr.user && tr.write && tr.nx);
}

TEST(GuestPageTable, PdptRootUsesBits38To30) {
  FakePhys p;
  PtEnv env = p.env();
  uint64_t pdpt = FakePhys::alloc(&p);
  uint64_t va = (1ull << 39) + 5ull * (1ull << 30) + 0x3000;  // module 5's GiB
  ASSERT_TRUE(pt_map(env, pdpt, 3, va, 0x9000, 0x4));
  for (unsigned i = 0; i < 512; ++i) EXPECT_EQ(p.entry(pdpt, i) & 1, i == 5 ? 1u : 0u) << i;
  EXPECT_EQ(sdm_walk(p, pdpt, 3, va) & 0x000FFFFFFFFFF000ull, 0x9000u);
}

TEST(GuestPageTable, UnmapClearsAndReturnsTheOldEntry) {
  FakePhys p;
  PtEnv env = p.env();
  uint64_t root = FakePhys::alloc(&p);
  ASSERT_TRUE(pt_map(env, root, 4, 0x400000, 0x7000, 0x2));
  uint64_t old = pt_unmap(env, root, 4, 0x400000);
  EXPECT_EQ(old & 0x000FFFFFFFFFF000ull, 0x7000u);
  EXPECT_EQ(sdm_walk(p, root, 4, 0x400000), 0u);
  EXPECT_EQ(pt_unmap(env, root, 4, 0x800000000ull), 0u) << "nothing there";
  EXPECT_EQ(pt_leaf(env, root, 4, 0x800000000ull), nullptr);
}

TEST(GuestPageTable, LargePagesAreTranslatedAndNotSplit) {
  FakePhys p;
  PtEnv env = p.env();
  uint64_t root = FakePhys::alloc(&p);
  uint64_t pdpt = FakePhys::alloc(&p), pd = FakePhys::alloc(&p);
  p.mem[(root >> 12) * 512 + 0] = pdpt | 0x7;
  p.mem[(pdpt >> 12) * 512 + 0] = pd | 0x7;
  p.mem[(pd >> 12) * 512 + 1] = 0x40000000ull | 0x80 | 0x3;  // 2 MiB page, supervisor, at 1 GiB physical
  PtTranslation tr;
  ASSERT_TRUE(pt_translate(env, root, 4, 0x200000 + 0x12345, &tr));
  EXPECT_EQ(tr.pa, 0x40012345u);
  EXPECT_FALSE(tr.user);
  EXPECT_FALSE(pt_map(env, root, 4, 0x200000, 0x1000, 0)) << "mapping under a large page must fail";
}

TEST(GuestPageTable, RightsAreTheAndOverLevels) {
  FakePhys p;
  PtEnv env = p.env();
  uint64_t root = FakePhys::alloc(&p);
  ASSERT_TRUE(pt_map(env, root, 4, 0x1000, 0x2000, 0x4 /*U, read-only*/));
  PtTranslation tr;
  ASSERT_TRUE(pt_translate(env, root, 4, 0x1000, &tr));
  EXPECT_TRUE(tr.user);
  EXPECT_FALSE(tr.write);
  p.mem[(root >> 12) * 512 + 0] &= ~0x4ull;  // supervisor at the PML4 level
  ASSERT_TRUE(pt_translate(env, root, 4, 0x1000, &tr));
  EXPECT_FALSE(tr.user);
}

TEST(GuestPageTable, ReportsAllocationFailure) {
  FakePhys p;
  p.next = 64;  // no frames left
  PtEnv env = p.env();
  std::vector<uint64_t> root(512, 0);
  EXPECT_FALSE(pt_map(env, 0, 4, 0x1000, 0x2000, 0));
}
