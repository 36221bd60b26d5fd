// TLB semantics against SDM Vol. 3A §4.10: A/D behaviour, PCIDs, global
// pages, each invalidation instruction, large pages and splintering, and
// faults raised from cached rights. Expectations are the SDM's sentences,
// observed through translations and the model's dump.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

struct Rig {
  PhysMemory mem{16 << 20};
  PtBuilder pt{mem};
  std::unique_ptr<Mmu> mmu;
  explicit Rig(const char* model = "skylake", uint64_t cr4 = kCr4) {
    mmu = std::make_unique<Mmu>(mem, model);
    mmu->reset_mode(PagingMode{kCr0 | x86::CR0_WP, pt.cr3, cr4, kEfer});
  }
  bool rd(uint64_t va, PhysAddr* out = nullptr, uint8_t cpl = 0) { return acc(va, Access::Read, out, cpl); }
  bool wr(uint64_t va, PhysAddr* out = nullptr, uint8_t cpl = 0) { return acc(va, Access::Write, out, cpl); }
  bool acc(uint64_t va, Access a, PhysAddr* out = nullptr, uint8_t cpl = 0) {
    PhysAddr pa = 0;
    last = Fault{};
    bool ok = mmu->translate(va, a, AccessCtx{cpl, false, false}, pa, last);
    if (out) *out = pa;
    return ok;
  }
  PhysAddr pa_of(uint64_t va) { PhysAddr p = ~0ull; rd(va, &p); return p; }
  uint64_t walks() { return mmu->stats().walks; }
  bool cached(uint64_t va) { return mmu->debug_walk(va).tlb_hit; }
  Fault last;
};

TEST(MmuAccessedDirty, ReadSetsAWriteSetsDAndDZeroEntryWalksAgain) {
  Rig r;
  const uint64_t va = 0x40'0000;
  r.pt.map(va, 0x80'0000, PageSize::K4, x86::PTE_P | x86::PTE_W);
  ASSERT_TRUE(r.rd(va));
  for (unsigned l = 2; l <= 4; ++l) EXPECT_TRUE(r.pt.get(va, l) & x86::PTE_A) << "level " << l;
  EXPECT_TRUE(r.pt.get(va, 1) & x86::PTE_A);
  EXPECT_FALSE(r.pt.get(va, 1) & x86::PTE_D);
  EXPECT_EQ(r.walks(), 1u);
  ASSERT_TRUE(r.rd(va));
  EXPECT_EQ(r.walks(), 1u);  // TLB hit
  // A write through the entry filled by the read (D=0) walks again to set D.
  ASSERT_TRUE(r.wr(va));
  EXPECT_EQ(r.walks(), 2u);
  EXPECT_TRUE(r.pt.get(va, 1) & x86::PTE_D);
  const MmuStats s = r.mmu->stats();
  EXPECT_EQ(s.arrays[2].dirty_rewalks, 1u);  // l1d_4k
  ASSERT_TRUE(r.wr(va));
  EXPECT_EQ(r.walks(), 2u);
  // A and D are sticky in the TLB: clearing them in memory without
  // invalidation means the processor need not set them again (§4.8).
  r.pt.set(va, 1, r.pt.get(va, 1) & ~(x86::PTE_A | x86::PTE_D));
  ASSERT_TRUE(r.wr(va));
  EXPECT_FALSE(r.pt.get(va, 1) & x86::PTE_D);
  r.mmu->invlpg(va);
  ASSERT_TRUE(r.wr(va));
  EXPECT_TRUE(r.pt.get(va, 1) & x86::PTE_D);
}

TEST(MmuLargePages, EachSizeTranslatesAndFillsItsArray) {
  Rig r;
  const uint64_t v1g = 0x0000'0080'0000'0000ull, v2m = 0x0000'0100'0020'0000ull, v4k = 0x0000'0180'0000'3000ull;
  r.pt.map(v1g, 0x4000'0000ull, PageSize::G1);
  r.pt.map(v2m, 0x60'0000, PageSize::M2);
  r.pt.map(v4k, 0x9000, PageSize::K4);
  PhysAddr pa;
  ASSERT_TRUE(r.rd(v1g + 0x1234'5678, &pa));
  EXPECT_EQ(pa, 0x4000'0000ull + 0x1234'5678);
  ASSERT_TRUE(r.rd(v2m + 0x1'2345, &pa));
  EXPECT_EQ(pa, 0x60'0000u + 0x1'2345);
  ASSERT_TRUE(r.rd(v4k + 0x321, &pa));
  EXPECT_EQ(pa, 0x9321u);
  EXPECT_EQ(r.mmu->debug_walk(v1g).tlb_array, "l1d_1g");
  EXPECT_EQ(r.mmu->debug_walk(v2m).tlb_array, "l1d_2m");
  EXPECT_EQ(r.mmu->debug_walk(v4k).tlb_array, "l1d_4k");
  // Skylake has no 1G ITLB: a fetch from a 1G page is cached as a 2M piece.
  ASSERT_TRUE(r.acc(v1g + 0x3030'0000, Access::Fetch, &pa));
  EXPECT_EQ(pa, 0x4000'0000ull + 0x3030'0000);
  bool found = false;
  for (const TlbDumpEntry& d : r.mmu->dump())
    if (d.array == "l1i_2m") {
      found = true;
      EXPECT_EQ(d.entry.size, PageSize::M2);
      EXPECT_EQ(d.entry.orig_size, PageSize::G1);
      EXPECT_EQ(d.entry.phys(), 0x4000'0000ull + 0x3020'0000);
    }
  EXPECT_TRUE(found);
  // INVLPG anywhere in the 1G page drops every piece of it (Vol. 2A INVLPG note 1).
  r.mmu->invlpg(v1g + 0x123);
  for (const TlbDumpEntry& d : r.mmu->dump())
    EXPECT_FALSE(d.array == "l1i_2m" || d.array == "l1d_1g" || d.array == "stlb_1g") << d.array;
}

TEST(MmuPcid, EntriesAreTaggedAndCr3Bit63Honoured) {
  Rig r("skylake", kCr4 | x86::CR4_PCIDE);
  const uint64_t va = 0x40'0000;
  PtBuilder other(r.mem, 0x80'0000);
  r.pt.map(va, 0x1'1000, PageSize::K4);
  other.map(va, 0x2'2000, PageSize::K4);
  r.mmu->write_cr3(r.pt.cr3 | 1);
  EXPECT_EQ(r.mmu->current_pcid(), 1);
  EXPECT_EQ(r.pa_of(va), 0x1'1000u);
  r.mmu->write_cr3(other.cr3 | 2 | x86::CR3_NOFLUSH);
  EXPECT_EQ(r.mmu->mode().cr3, other.cr3 | 2);  // bit 63 is not stored
  EXPECT_EQ(r.pa_of(va), 0x2'2000u);         // PCID 1's entry is not used under PCID 2
  const uint64_t w = r.walks();
  r.mmu->write_cr3(r.pt.cr3 | 1 | x86::CR3_NOFLUSH);
  EXPECT_EQ(r.pa_of(va), 0x1'1000u);
  EXPECT_EQ(r.walks(), w);  // kept across the switches: no walk
  r.mmu->write_cr3(r.pt.cr3 | 1);  // bit 63 clear: PCID 1 flushed
  EXPECT_EQ(r.pa_of(va), 0x1'1000u);
  EXPECT_EQ(r.walks(), w + 1);
  // PCID 2's entry survived that flush.
  r.mmu->write_cr3(other.cr3 | 2 | x86::CR3_NOFLUSH);
  EXPECT_EQ(r.pa_of(va), 0x2'2000u);
  EXPECT_EQ(r.walks(), w + 1);
  // Clearing CR4.PCIDE flushes everything.
  r.mmu->write_cr4(kCr4);
  EXPECT_FALSE(r.mmu->debug_walk(va).tlb_hit);
  EXPECT_EQ(r.mmu->current_pcid(), 0);
  // Per-address-space statistics saw both spaces.
  const MmuStats s = r.mmu->stats();
  unsigned pcids = 0;
  for (const SpaceStats& sp : s.spaces) pcids += (sp.pcid == 1 || sp.pcid == 2);
  EXPECT_GE(pcids, 2u);
}

TEST(MmuGlobal, GlobalEntriesSurviveCr3AndMatchAnyPcid) {
  Rig r("skylake", kCr4 | x86::CR4_PGE | x86::CR4_PCIDE);
  const uint64_t kva = 0xFFFF'8000'0010'0000ull, uva = 0x40'0000;
  r.pt.map(kva, 0x5000, PageSize::K4, x86::PTE_P | x86::PTE_W | x86::PTE_G);
  r.pt.map(uva, 0x6000, PageSize::K4);
  r.mmu->write_cr3(r.pt.cr3 | 3);
  ASSERT_TRUE(r.rd(kva));
  ASSERT_TRUE(r.rd(uva));
  EXPECT_TRUE(r.mmu->debug_walk(kva).tlb_entry.global);
  EXPECT_FALSE(r.mmu->debug_walk(uva).tlb_entry.global);
  r.mmu->write_cr3(r.pt.cr3 | 3);  // flushes PCID 3's non-global entries only
  EXPECT_TRUE(r.cached(kva));
  EXPECT_FALSE(r.cached(uva));
  r.mmu->write_cr3(r.pt.cr3 | 9);  // another PCID: the global entry still matches
  const uint64_t w = r.walks();
  ASSERT_TRUE(r.rd(kva));
  EXPECT_EQ(r.walks(), w);
  // Toggling CR4.PGE flushes everything, globals included.
  r.mmu->write_cr4(kCr4 | x86::CR4_PCIDE);
  EXPECT_FALSE(r.cached(kva));
  // With PGE = 0 the G bit is ignored: the entry is not global.
  ASSERT_TRUE(r.rd(kva));
  EXPECT_FALSE(r.mmu->debug_walk(kva).tlb_entry.global);
  r.mmu->write_cr3(r.pt.cr3 | 9);
  EXPECT_FALSE(r.cached(kva));
}

TEST(MmuInvalidation, InvlpgDropsPageGlobalsAndCurrentPcidPscs) {
  Rig r("skylake", kCr4 | x86::CR4_PGE | x86::CR4_PCIDE);
  const uint64_t a = 0x40'0000, b = 0x40'1000, g = 0xFFFF'8000'0000'0000ull;
  r.pt.map(a, 0x1000, PageSize::K4);
  r.pt.map(b, 0x2000, PageSize::K4);
  r.pt.map(g, 0x3000, PageSize::K4, x86::PTE_P | x86::PTE_G);
  r.mmu->write_cr3(r.pt.cr3 | 1);
  r.rd(a), r.rd(b), r.rd(g);
  r.mmu->write_cr3(r.pt.cr3 | 2 | x86::CR3_NOFLUSH);
  r.rd(a);  // PCID 2 copy of page a
  EXPECT_GT(r.mmu->debug_walk(a).psc_level, 0u);
  r.mmu->invlpg(a);   // current PCID 2: its copy of a, and its PSC entries
  r.mmu->invlpg(g);   // global entry for g, whatever PCID made it
  EXPECT_FALSE(r.cached(a));
  EXPECT_FALSE(r.cached(g));
  EXPECT_EQ(r.mmu->debug_walk(a).psc_level, 0u);
  r.mmu->write_cr3(r.pt.cr3 | 1 | x86::CR3_NOFLUSH);
  EXPECT_TRUE(r.cached(a));  // PCID 1's entry for a is untouched
  EXPECT_TRUE(r.cached(b));
  EXPECT_GT(r.mmu->debug_walk(a).psc_level, 0u);  // and its PSC entries too
  EXPECT_EQ(r.mmu->stats().invlpg, 2u);
  // Non-canonical: a NOP.
  r.mmu->invlpg(0x0000'8000'0000'0000ull);
  EXPECT_EQ(r.mmu->stats().invlpg, 2u);
}

TEST(MmuInvalidation, InvpcidTypes) {
  Rig r("skylake", kCr4 | x86::CR4_PGE | x86::CR4_PCIDE);
  const uint64_t a = 0x40'0000, b = 0x40'1000, g = 0xFFFF'8000'0000'0000ull;
  r.pt.map(a, 0x1000, PageSize::K4);
  r.pt.map(b, 0x2000, PageSize::K4);
  r.pt.map(g, 0x3000, PageSize::K4, x86::PTE_P | x86::PTE_G);
  auto fill = [&](uint16_t pcid) {
    r.mmu->write_cr3(r.pt.cr3 | pcid | x86::CR3_NOFLUSH);
    r.rd(a), r.rd(b), r.rd(g);
  };
  auto cached_in = [&](uint16_t pcid, uint64_t va) {
    r.mmu->write_cr3(r.pt.cr3 | pcid | x86::CR3_NOFLUSH);
    return r.cached(va);
  };
  // Bad descriptors / types raise #GP.
  EXPECT_FALSE(r.mmu->invpcid(4, 0, 0));
  EXPECT_FALSE(r.mmu->invpcid(0, 0x1000, a));
  EXPECT_FALSE(r.mmu->invpcid(0, 1, 0x0000'8000'0000'0000ull));
  // Type 0: one address in one PCID, never globals.
  fill(1), fill(2);
  ASSERT_TRUE(r.mmu->invpcid(0, 1, a));
  ASSERT_TRUE(r.mmu->invpcid(0, 1, g));
  EXPECT_FALSE(cached_in(1, a));
  EXPECT_TRUE(cached_in(1, b));
  EXPECT_TRUE(cached_in(1, g));
  EXPECT_TRUE(cached_in(2, a));
  // Type 1: a whole PCID, not globals.
  fill(1), fill(2);
  ASSERT_TRUE(r.mmu->invpcid(1, 2, 0));
  EXPECT_FALSE(cached_in(2, a));
  EXPECT_FALSE(cached_in(2, b));
  EXPECT_TRUE(cached_in(2, g));
  EXPECT_TRUE(cached_in(1, b));
  // Type 3: every PCID, not globals.
  fill(1), fill(2);
  ASSERT_TRUE(r.mmu->invpcid(3, 0, 0));
  EXPECT_FALSE(cached_in(1, a));
  EXPECT_FALSE(cached_in(2, b));
  EXPECT_TRUE(cached_in(2, g));
  EXPECT_EQ(r.mmu->debug_walk(a).psc_level, 0u);
  // Type 2: everything.
  fill(1), fill(2);
  ASSERT_TRUE(r.mmu->invpcid(2, 0, 0));
  EXPECT_FALSE(cached_in(1, g));
  EXPECT_TRUE(r.mmu->dump().empty());
  // With PCIDE = 0 only PCID 0 is valid for types 0 and 1.
  r.mmu->write_cr4(kCr4);
  EXPECT_FALSE(r.mmu->invpcid(1, 5, 0));
  EXPECT_TRUE(r.mmu->invpcid(1, 0, 0));
}

TEST(MmuInvalidation, Cr4AndCr0Rules) {
  Rig r("skylake", kCr4 | x86::CR4_PGE);
  const uint64_t g = 0xFFFF'8000'0000'0000ull;
  r.pt.map(g, 0x3000, PageSize::K4, x86::PTE_P | x86::PTE_G);
  r.rd(g);
  r.mmu->write_cr4(kCr4 | x86::CR4_PGE | x86::CR4_SMAP);  // no flush for SMAP
  EXPECT_TRUE(r.cached(g));
  r.mmu->write_cr4(kCr4 | x86::CR4_PGE | x86::CR4_SMAP | x86::CR4_SMEP);  // SMEP 0->1: current PCID
  EXPECT_FALSE(r.cached(g));
  r.rd(g);
  r.mmu->write_cr4(kCr4 | x86::CR4_PGE);  // SMEP 1->0: nothing
  EXPECT_TRUE(r.cached(g));
  r.mmu->write_cr0(kCr0);  // WP change: nothing
  EXPECT_TRUE(r.cached(g));
  r.mmu->write_cr0(x86::CR0_PE);  // PG 1->0: everything
  EXPECT_TRUE(r.mmu->dump().empty());
  PhysAddr pa;
  ASSERT_TRUE(r.rd(0x1234'5678, &pa));  // paging off: identity
  EXPECT_EQ(pa, 0x1234'5678u);
}

// Cached rights are used as cached: after R/W 0 -> 1 without invalidation a
// write may fault ("spurious" #PF, §4.10.4.3); the fault invalidates the
// entry (§4.10.4.1), so the retry walks and succeeds.
TEST(MmuFaults, SpuriousFaultFromCachedRightsHappensOnce) {
  Rig r;
  const uint64_t va = 0x40'0000;
  r.pt.map(va, 0x7000, PageSize::K4, x86::PTE_P | x86::PTE_U);
  ASSERT_TRUE(r.rd(va, nullptr, 3));
  r.pt.set(va, 1, r.pt.get(va, 1) | x86::PTE_W);
  EXPECT_FALSE(r.wr(va, nullptr, 3));
  EXPECT_EQ(r.last.error_code, x86::PF_P | x86::PF_W | x86::PF_U);
  EXPECT_EQ(r.mmu->stats().spurious_faults, 1u);
  EXPECT_TRUE(r.wr(va, nullptr, 3));
}

// MOV to CR3 without PCIDs invalidates every non-global entry (§4.10.4.1);
// the model counts, per array, the entries that flush dropped. After more
// pages than the first-level DTLB holds (evictions) and fewer than the STLB
// holds, the counts must be what each array holds at the flush -- what the
// dump shows -- not what was ever filled into it.
TEST(MmuEviction, Cr3FlushCountsTheEntriesHeldNotThoseEvicted) {
  Rig r;
  constexpr unsigned kPages = 200;
  const uint64_t va = 0x40'0000;
  for (unsigned i = 0; i < kPages; ++i) r.pt.map(va + 4096ull * i, 0x80'0000 + 4096ull * i, PageSize::K4);
  for (unsigned i = 0; i < kPages; ++i) ASSERT_TRUE(r.rd(va + 4096ull * i));
  std::map<std::string, uint64_t> held;
  for (const TlbDumpEntry& e : r.mmu->dump()) ++held[e.array];
  const MmuStats before = r.mmu->stats();
  r.mmu->write_cr3(r.pt.cr3);
  const MmuStats after = r.mmu->stats();
  uint64_t evicted = 0;
  for (size_t a = 0; a < after.arrays.size(); ++a) {
    const ArrayStats& s = after.arrays[a];
    evicted += s.evictions;
    EXPECT_EQ(s.invalidations[unsigned(InvCause::Cr3Load)] - before.arrays[a].invalidations[unsigned(InvCause::Cr3Load)],
              held[s.name])
        << s.name;
  }
  EXPECT_GT(evicted, 0u);
  EXPECT_EQ(held["l1d_4k"], 64u);  // skylake: 16 sets x 4 ways, every set filled
  EXPECT_EQ(held["stlb"], kPages);
  EXPECT_TRUE(r.mmu->dump().empty());
}

TEST(MmuNone, FunctionalOnlyAndFlushedLikeSoftmmu) {
  Rig r("none");
  const uint64_t va = 0x40'0000;
  r.pt.map(va, 0x7000, PageSize::K4);
  EXPECT_EQ(r.pa_of(va + 5), 0x7005u);
  r.pt.set(va, 1, (0x8000 | kPWU));
  EXPECT_EQ(r.pa_of(va + 5), 0x7005u);  // the unmodelled cache is stale until a flush
  r.mmu->invlpg(va);
  EXPECT_EQ(r.pa_of(va + 5), 0x8005u);
  r.pt.set(va, 1, (0x9000 | kPWU));
  r.mmu->write_cr3(r.pt.cr3);
  EXPECT_EQ(r.pa_of(va + 5), 0x9005u);
  EXPECT_TRUE(r.mmu->dump().empty());
  EXPECT_EQ(r.mmu->stats().walks, 0u);  // no statistics
}

}  // namespace
}  // namespace slot::mmu::test
