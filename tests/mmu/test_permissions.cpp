// Exhaustive access-rights test: every combination of U/S, R/W and XD at the
// four levels x CPL 0/3 x implicit supervisor access x CR0.WP x EFER.NXE x
// CR4.SMEP x CR4.SMAP x RFLAGS.AC x read/write/fetch, checked against an
// oracle written from the sentences of SDM Vol. 3A §4.6.1 (and §4.7 for the
// error code, §4.5 for XD being reserved when NXE = 0), not from perms.cpp.
#include <gtest/gtest.h>

#include <memory>

#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

struct Level { bool us, rw, xd; };

struct OracleResult {
  bool allowed;
  uint32_t ec;
};

// SDM Vol. 3A §4.6.1, sentence by sentence.
OracleResult oracle(const Level lv[4], bool cpl3, bool implicit, bool wp, bool nxe, bool smep,
                    bool smap, bool ac, Access acc) {
  bool user_address = true, all_rw = true, any_xd = false;
  for (int i = 0; i < 4; ++i) {
    user_address = user_address && lv[i].us;  // "U/S = 1 in every paging-structure entry"
    all_rw = all_rw && lv[i].rw;
    any_xd = any_xd || lv[i].xd;
  }
  const bool supervisor = implicit || !cpl3;
  uint32_t ec = x86::PF_P;
  if (acc == Access::Write) ec |= x86::PF_W;
  if (!supervisor) ec |= x86::PF_U;
  if (acc == Access::Fetch && (nxe || smep)) ec |= x86::PF_I;
  if (!nxe && any_xd) return {false, ec | x86::PF_RSVD};  // XD is reserved when NXE = 0 (§4.5)
  bool ok = false;
  if (supervisor) {
    if (acc == Access::Read) {
      // "Data may be read from any supervisor-mode address"; from user-mode
      // addresses unless SMAP=1 and (AC=0 or the access is implicit).
      ok = !user_address || !smap || (ac && !implicit);
    } else if (acc == Access::Write) {
      const bool rights = !wp || all_rw;  // WP=0: any address; WP=1: R/W=1 everywhere
      ok = user_address ? ((!smap || (ac && !implicit)) && rights) : rights;
    } else {
      // Fetches: with NXE=1 only where XD=0 everywhere; SMEP forbids user-mode addresses.
      ok = !(nxe && any_xd) && !(smep && user_address);
    }
  } else {
    if (acc == Access::Read) ok = user_address;
    else if (acc == Access::Write) ok = user_address && all_rw;
    else ok = user_address && !(nxe && any_xd);
  }
  return {ok, ec};
}

TEST(MmuPermissions, ExhaustiveAgainstSdmOracle) {
  PhysMemory mem(4 << 20);
  PtBuilder pt(mem);
  const uint64_t va = 0x0000'0080'4020'3000ull;  // distinct index at every level
  const uint64_t pa = 0x30'0000;
  pt.map(va, pa, PageSize::K4);
  uint64_t epa[5];
  for (unsigned l = 1; l <= 4; ++l) epa[l] = pt.entry_pa(va, l);
  const uint64_t base[5] = {0, mem.read(epa[1], 8), mem.read(epa[2], 8), mem.read(epa[3], 8),
                            mem.read(epa[4], 8)};
  auto mmu = std::make_unique<Mmu>(mem, "skylake");
  unsigned checked = 0, mismatches = 0;
  for (unsigned combo = 0; combo < 4096; ++combo) {
    Level lv[4];  // lv[0] = PML4E .. lv[3] = PTE
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned bits = (combo >> (3 * i)) & 7;
      lv[i] = Level{bool(bits & 1), bool(bits & 2), bool(bits & 4)};
      const unsigned level = 4 - i;
      uint64_t e = base[level] & ~(x86::PTE_U | x86::PTE_W | x86::PTE_NX | x86::PTE_A | x86::PTE_D);
      if (lv[i].us) e |= x86::PTE_U;
      if (lv[i].rw) e |= x86::PTE_W;
      if (lv[i].xd) e |= x86::PTE_NX;
      mem.write(epa[level], 8, e);
    }
    for (unsigned ctx = 0; ctx < 128; ++ctx) {
      const bool cpl3 = ctx & 1, implicit = ctx & 2, wp = ctx & 4, nxe = ctx & 8, smep = ctx & 16,
                 smap = ctx & 32, ac = ctx & 64;
      uint64_t cr0 = kCr0 | (wp ? x86::CR0_WP : 0);
      uint64_t cr4 = kCr4 | (smep ? x86::CR4_SMEP : 0) | (smap ? x86::CR4_SMAP : 0);
      uint64_t efer = x86::EFER_LME | x86::EFER_LMA | (nxe ? x86::EFER_NXE : 0);
      mmu->reset_mode(PagingMode{cr0, pt.cr3, cr4, efer});
      for (Access acc : {Access::Read, Access::Write, Access::Fetch}) {
        mmu->invlpg(va);  // every check is a fresh walk
        const OracleResult want = oracle(lv, cpl3, implicit, wp, nxe, smep, smap, ac, acc);
        PhysAddr got = 0;
        Fault f;
        const bool ok = mmu->translate(va + 0x123, acc, AccessCtx{uint8_t(cpl3 ? 3 : 0), ac, implicit},
                                       got, f);
        ++checked;
        if (ok != want.allowed || (ok && got != pa + 0x123) || (!ok && f.error_code != want.ec) ||
            (!ok && f.linear != va + 0x123)) {
          if (++mismatches < 10) ADD_FAILURE() << "combo " << combo << " ctx " << ctx << " acc " << access_name(acc)
                          << ": got ok=" << ok << " ec=" << f.error_code << " want ok="
                          << want.allowed << " ec=" << want.ec;
        }
        // A/D (SDM §4.8): the leaf's A is set only by an allowed access, D only by a write.
        const uint64_t pte = mem.read(epa[1], 8);
        if (ok) {
          EXPECT_TRUE(pte & x86::PTE_A);
          if (acc == Access::Write) {
            EXPECT_TRUE(pte & x86::PTE_D);
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 4096u * 128u * 3u);
  EXPECT_EQ(mismatches, 0u);
}

// A filled TLB entry caches exactly the rights a fresh walk computes: the
// AND of R/W and U/S and the OR of XD over the four levels (§4.10.2.2).
TEST(MmuPermissions, FilledEntryRightsEqualFreshWalk) {
  PhysMemory mem(4 << 20);
  PtBuilder pt(mem);
  const uint64_t va = 0x0000'0040'0060'5000ull;
  pt.map(va, 0x20'0000, PageSize::K4);
  Mmu mmu(mem, "skylake");
  mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4, kEfer});
  for (unsigned combo = 0; combo < 4096; combo += 7) {
    bool u = true, w = true, nx = false;
    for (unsigned i = 0; i < 4; ++i) {
      const unsigned bits = (combo >> (3 * i)) & 7, level = 4 - i;
      uint64_t e = pt.get(va, level) & ~(x86::PTE_U | x86::PTE_W | x86::PTE_NX);
      e |= (bits & 1 ? x86::PTE_U : 0) | (bits & 2 ? x86::PTE_W : 0) | (bits & 4 ? x86::PTE_NX : 0);
      pt.set(va, level, e);
      u = u && (bits & 1);
      w = w && (bits & 2);
      nx = nx || (bits & 4);
    }
    mmu.invlpg(va);
    PhysAddr pa;
    Fault f;
    ASSERT_TRUE(mmu.translate(va, Access::Read, AccessCtx{0, false, false}, pa, f));
    const DebugWalk d = mmu.debug_walk(va);
    ASSERT_TRUE(d.tlb_hit);
    EXPECT_EQ(d.tlb_array, "l1d_4k");
    EXPECT_EQ(d.tlb_entry.perms.u, u);
    EXPECT_EQ(d.tlb_entry.perms.w, w);
    EXPECT_EQ(d.tlb_entry.perms.nx, nx);
    EXPECT_EQ(d.tlb_entry.perms.u, d.perms.u);
    EXPECT_EQ(d.tlb_entry.perms.w, d.perms.w);
    EXPECT_EQ(d.tlb_entry.perms.nx, d.perms.nx);
  }
}

// Reserved bits (SDM §4.5 tables 4-14..4-20, MAXPHYADDR = 40): each makes a
// present entry fault with P=1 and RSVD=1, at every level.
TEST(MmuPermissions, ReservedBitsFaultWithRsvd) {
  struct Case { unsigned level; PageSize size; uint64_t bit; const char* what; };
  const Case cases[] = {
      {4, PageSize::K4, 1ull << 40, "PML4E bit 40"},   {4, PageSize::K4, 1ull << 51, "PML4E bit 51"},
      {4, PageSize::K4, x86::PTE_PS, "PML4E PS"},      {3, PageSize::K4, 1ull << 45, "PDPTE bit 45"},
      {3, PageSize::G1, 1ull << 13, "1G PDPTE bit 13"}, {3, PageSize::G1, 1ull << 29, "1G PDPTE bit 29"},
      {2, PageSize::K4, 1ull << 40, "PDE bit 40"},     {2, PageSize::M2, 1ull << 13, "2M PDE bit 13"},
      {2, PageSize::M2, 1ull << 20, "2M PDE bit 20"},  {1, PageSize::K4, 1ull << 50, "PTE bit 50"},
  };
  for (const Case& c : cases) {
    PhysMemory mem(8 << 20);
    PtBuilder pt(mem);
    const uint64_t va = 0x0000'0001'4000'0000ull;
    pt.map(va, c.size == PageSize::G1 ? 0x4000'0000ull : c.size == PageSize::M2 ? 0x40'0000 : 0x30'0000,
           c.size);
    pt.set(va, c.level, pt.get(va, c.level) | c.bit);
    Mmu mmu(mem, "skylake");
    mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4, kEfer});
    PhysAddr pa;
    Fault f;
    EXPECT_FALSE(mmu.translate(va, Access::Write, AccessCtx{3, false, false}, pa, f)) << c.what;
    EXPECT_EQ(f.error_code, x86::PF_P | x86::PF_RSVD | x86::PF_W | x86::PF_U) << c.what;
  }
  // Bits 62:52 are ignored, and bit 39 is an address bit with MAXPHYADDR 40.
  PhysMemory mem(8 << 20);
  PtBuilder pt(mem);
  const uint64_t va = 0x5000;
  pt.map(va, 0x30'0000, PageSize::K4);
  pt.set(va, 1, pt.get(va, 1) | (0x7FFull << 52));
  Mmu mmu(mem, "skylake");
  mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4, kEfer});
  PhysAddr pa;
  Fault f;
  EXPECT_TRUE(mmu.translate(va, Access::Read, AccessCtx{}, pa, f));
  EXPECT_EQ(pa, 0x30'0000u);
}

TEST(MmuPermissions, NotPresentAtEachLevel) {
  for (unsigned level = 1; level <= 4; ++level) {
    PhysMemory mem(4 << 20);
    PtBuilder pt(mem);
    const uint64_t va = 0x0000'7F00'1234'5000ull;
    pt.map(va, 0x30'0000, PageSize::K4);
    pt.set(va, level, pt.get(va, level) & ~x86::PTE_P);
    Mmu mmu(mem, "skylake");
    mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4 | x86::CR4_SMEP, kEfer});
    PhysAddr pa;
    Fault f;
    EXPECT_FALSE(mmu.translate(va + 8, Access::Fetch, AccessCtx{3, false, false}, pa, f));
    EXPECT_EQ(f.error_code, x86::PF_U | x86::PF_I) << "level " << level;
    EXPECT_EQ(f.linear, va + 8);
  }
}

}  // namespace
}  // namespace slot::mmu::test
