// Protection keys (SDM Vol. 3A §4.6.2 and §4.7): every key's AD/WD rights in
// PKRU (user-mode pages, CR4.PKE) and IA32_PKRS (supervisor-mode pages,
// CR4.PKS) x CPL 0/3 x CR0.WP x read/write/fetch, against an oracle written
// from the manual's sentences; and the TLB rule that makes keys cheap and
// dangerous: a change of PKRU invalidates nothing, the rights are applied to
// cached translations at every access (§4.10.2.2). (A #PF still drops the
// faulting address's entries, §4.10.4.2, so later accesses walk again.)
#include <gtest/gtest.h>

#include "mmu/mmu.h"
#include "tests/mmu/pt_builder.h"

namespace slot::mmu::test {
namespace {

struct Expect {
  bool allowed;
  uint32_t ec;
};

// §4.6.2: "... if CR4.PKE = 1 ... for user-mode linear addresses: data reads
// are not permitted if ADi = 1; data writes are not permitted if ADi = 1 or
// WDi = 1 and (the access is user-mode, or CR0.WP = 1)". The same with PKRS
// and CR4.PKS for supervisor-mode addresses. Instruction fetches are not
// affected. The ordinary rights of the test's pages (U or S, all writable,
// executable) allow everything except user-mode accesses to a
// supervisor-mode page.
Expect oracle(bool user_page, unsigned key, uint32_t pkru, uint32_t pkrs, bool pke, bool pks, bool cpl3, bool wp,
              Access acc) {
  uint32_t ec = x86::PF_P;
  if (acc == Access::Write) ec |= x86::PF_W;
  if (cpl3) ec |= x86::PF_U;
  if (acc == Access::Fetch) ec |= x86::PF_I;  // NXE = 1
  if (cpl3 && !user_page) return {false, ec};
  const bool on = user_page ? pke : pks;
  const uint32_t reg = user_page ? pkru : pkrs;
  const bool ad = (reg >> (2 * key)) & 1, wd = (reg >> (2 * key + 1)) & 1;
  bool denied = false;
  if (on && acc != Access::Fetch) denied = ad || (acc == Access::Write && wd && (cpl3 || wp));
  return denied ? Expect{false, ec | x86::PF_PK} : Expect{true, 0};
}

TEST(MmuPkeys, EveryKeyAndRightAgainstSdmOracle) {
  PhysMemory mem(4 << 20);
  PtBuilder pt(mem);
  const uint64_t user_va = 0x0000'0040'0000'0000ull, sup_va = 0x0000'0041'0000'0000ull;
  unsigned checked = 0;
  for (unsigned key = 0; key < 16; key += 5) {  // 0, 5, 10, 15: the field's ends and middle
    const uint64_t pk = uint64_t(key) << 59;
    pt.map(user_va + key * 0x1000, 0x20'0000, PageSize::K4, kPWU | pk);
    pt.map(sup_va + key * 0x1000, 0x20'0000, PageSize::K4, (kPWU & ~x86::PTE_U) | pk, kPWU);
    for (unsigned rights = 0; rights < 4; ++rights) {  // AD, WD of this key; other keys the opposite
      const uint32_t mine = rights << (2 * key), others = ~(3u << (2 * key)) & (rights ? 0 : 0x55555555u);
      const uint32_t reg = mine | others;
      for (unsigned bits = 0; bits < 16; ++bits) {
        const bool pke = bits & 1, pks = bits & 2, cpl3 = bits & 4, wp = bits & 8;
        for (const bool user_page : {true, false}) {
          for (const Access acc : {Access::Read, Access::Write, Access::Fetch}) {
            Mmu mmu(mem, "skylake");
            const uint64_t cr4 = kCr4 | (pke ? x86::CR4_PKE : 0) | (pks ? x86::CR4_PKS : 0);
            mmu.reset_mode(PagingMode{kCr0 | (wp ? x86::CR0_WP : 0), pt.cr3, cr4, kEfer, reg, reg});
            const uint64_t va = (user_page ? user_va : sup_va) + key * 0x1000 + 0x10;
            PhysAddr pa;
            Fault f;
            const bool ok = mmu.translate(va, acc, AccessCtx{uint8_t(cpl3 ? 3 : 0), false, false}, pa, f);
            const Expect want = oracle(user_page, key, reg, reg, pke, pks, cpl3, wp, acc);
            ASSERT_EQ(ok, want.allowed) << "key " << key << " rights " << rights << " bits " << bits << " user page "
                                        << user_page << " " << access_name(acc);
            if (!ok) {
              EXPECT_EQ(f.error_code, want.ec) << "key " << key << " bits " << bits;
            }
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 4u * 4 * 16 * 2 * 3);
}

TEST(MmuPkeys, PkruChangeInvalidatesNothingButAppliesAtOnce) {
  PhysMemory mem(4 << 20);
  PtBuilder pt(mem);
  const uint64_t va = 0x0000'0040'0000'0000ull;
  pt.map(va, 0x20'0000, PageSize::K4, kPWU | (3ull << 59));
  Mmu mmu(mem, "skylake");
  mmu.reset_mode(PagingMode{kCr0, pt.cr3, kCr4 | x86::CR4_PKE, kEfer, 0, 0});
  const AccessCtx user{3, false, false};
  PhysAddr pa;
  Fault f;
  ASSERT_TRUE(mmu.translate(va, Access::Read, user, pa, f));
  ASSERT_TRUE(mmu.translate(va, Access::Read, user, pa, f));  // now served by the L1 TLB (and the fast path)
  const uint64_t walks = mmu.totals().walks;
  mmu.write_pkeys(1u << 6, 0);  // AD3
  EXPECT_FALSE(mmu.translate(va, Access::Read, user, pa, f)) << "the cached translation is checked against PKRU";
  EXPECT_EQ(f.error_code, x86::PF_P | x86::PF_U | x86::PF_PK);
  EXPECT_EQ(mmu.totals().walks, walks) << "refused from the TLB entry, without a walk";
  mmu.write_pkeys(2u << 6, 0);  // WD3: reads again, writes not
  EXPECT_TRUE(mmu.translate(va, Access::Read, user, pa, f));
  EXPECT_FALSE(mmu.translate(va, Access::Write, user, pa, f));
  EXPECT_EQ(f.error_code, x86::PF_P | x86::PF_W | x86::PF_U | x86::PF_PK);
  mmu.write_pkeys(0, 0);
  EXPECT_TRUE(mmu.translate(va, Access::Write, user, pa, f));
  const DebugWalk d = mmu.debug_walk(va);
  EXPECT_EQ(d.perms.pk, 3u) << "the key comes from the leaf's bits 62:59";
}

}  // namespace
}  // namespace slot::mmu::test
