#include "mmu/perms.h"

#include "mmu/arch.h"

namespace slot::mmu {

namespace {
// Protection keys (SDM Vol. 3A §4.6.2): data accesses only. A user-mode
// address uses PKRU (with CR4.PKE), a supervisor-mode address IA32_PKRS
// (with CR4.PKS); for key i, bit 2i (AD) denies every data access and bit
// 2i+1 (WD) denies writes by user-mode accesses, and by supervisor-mode
// accesses when CR0.WP = 1.
bool pkey_denies(const Perms& p, Access acc, unsigned cls, const PagingMode& m) {
  if (acc == Access::Fetch) return false;
  if (!(m.cr4 & (p.u ? x86::CR4_PKE : x86::CR4_PKS))) return false;
  const uint32_t rights = (p.u ? m.pkru : m.pkrs) >> (2 * p.pk);
  if (rights & 1) return true;
  return acc == Access::Write && (rights & 2) && (cls == kUser || (m.cr0 & x86::CR0_WP));
}
Check paging_rights(const Perms& p, Access acc, unsigned cls, uint64_t cr0, uint64_t cr4, uint64_t efer) {
  // XD is meaningful only with EFER.NXE = 1 (with NXE = 0 the bit is
  // reserved, so a set bit never reaches here from a walk; a TLB entry made
  // under NXE = 1 may still carry it, and must then be ignored).
  const bool nx = p.nx && (efer & x86::EFER_NXE);
  if (cls == kUser) {
    // User-mode accesses: only user-mode addresses (U/S = 1 at every level).
    if (!p.u) return Check::User;
    if (acc == Access::Write && !p.w) return Check::Write;
    if (acc == Access::Fetch && nx) return Check::Nx;
    return Check::None;
  }
  // Supervisor-mode accesses.
  if (acc == Access::Fetch) {
    if (p.u && (cr4 & x86::CR4_SMEP)) return Check::Smep;
    if (nx) return Check::Nx;
    return Check::None;
  }
  // SMAP: no data access to user-mode addresses unless explicit with AC=1.
  if (p.u && (cr4 & x86::CR4_SMAP) && cls == kSup) return Check::Smap;
  // Writes: with CR0.WP = 1 the R/W flags bind supervisor code too.
  if (acc == Access::Write && !p.w && (cr0 & x86::CR0_WP)) return Check::Write;
  return Check::None;
}
}  // namespace

Check check_access(const Perms& p, Access acc, unsigned cls, const PagingMode& m) {
  if (const Check c = paging_rights(p, acc, cls, m.cr0, m.cr4, m.efer); c != Check::None) return c;
  return pkey_denies(p, acc, cls, m) ? Check::Pk : Check::None;
}

uint32_t pf_error_code(Check failed, Access acc, bool user_mode, uint64_t cr4, uint64_t efer) {
  uint32_t ec = 0;
  if (failed != Check::NotPresent) ec |= x86::PF_P;
  if (failed == Check::Reserved) ec |= x86::PF_RSVD;
  if (failed == Check::Pk) ec |= x86::PF_PK;
  if (acc == Access::Write) ec |= x86::PF_W;
  if (user_mode) ec |= x86::PF_U;
  // §4.7: I/D = 1 for a fetch if SMEP = 1, or if PAE/4-level paging with NXE = 1.
  if (acc == Access::Fetch && ((cr4 & x86::CR4_SMEP) || (efer & x86::EFER_NXE))) ec |= x86::PF_I;
  return ec;
}

uint64_t reserved_mask(unsigned level, uint64_t entry, bool nxe) {
  uint64_t m = x86::PTE_ADDR & ~x86::PHYS_ADDR_MASK;  // bits 51:MAXPHYADDR
  if (!nxe) m |= x86::PTE_NX;
  if (level == 4) m |= x86::PTE_PS;
  if (level == 3 && (entry & x86::PTE_PS)) m |= 0x3FFF'E000ull;  // 29:13
  if (level == 2 && (entry & x86::PTE_PS)) m |= 0x001F'E000ull;  // 20:13
  return m;
}

}  // namespace slot::mmu
