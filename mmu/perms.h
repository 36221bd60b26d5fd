// Access-rights rules of 4-level paging (SDM Vol. 3A §4.6) applied to the
// combined rights a walk or a TLB entry yields, the reserved-bit masks of
// each paging level (§4.5, tables 4-14 .. 4-20), and the #PF error code
// (§4.7).
#pragma once
#include <cstdint>

#include "mmu/types.h"

namespace slot::mmu {

struct AccessCtx;
struct PagingMode;

// Who is asking, reduced to what the rules distinguish:
//  User   - CPL 3, explicit access: a user-mode access.
//  SupAc  - explicit supervisor-mode access with RFLAGS.AC = 1.
//  Sup    - explicit supervisor access with AC = 0, or any implicit
//           supervisor-mode access (descriptor tables, TSS, delivery stacks),
//           for which SMAP ignores AC (§4.6.1).
enum AccessClass : uint8_t { kUser = 0, kSupAc = 1, kSup = 2 };
inline constexpr unsigned kNumClasses = 3;

// Checks an access of kind `acc` by class `cls` against combined rights `p`
// under the current CR0.WP, CR4.SMEP/SMAP/PKE/PKS, EFER.NXE and the
// protection-key rights. Check::None = allowed.
Check check_access(const Perms& p, Access acc, unsigned cls, const PagingMode& m);

// The #PF error code for a fault of kind `failed` (NotPresent, Reserved, or
// a protection check). U/S is set for user-mode accesses (CPL 3 and not
// implicit); I/D only when the access is a fetch and NXE or SMEP is on.
uint32_t pf_error_code(Check failed, Access acc, bool user_mode, uint64_t cr4, uint64_t efer);

// Reserved bits of a present paging entry at `level` (4 = PML4E .. 1 = PTE),
// given its PS bit: bits 51:MAXPHYADDR always; XD when NXE=0; PS in a PML4E;
// bits 29:13 of a 1G PDPTE and 20:13 of a 2M PDE (they would be address bits
// below the page's alignment).
uint64_t reserved_mask(unsigned level, uint64_t entry, bool nxe);

}  // namespace slot::mmu
