// The 4-level page walker: one loop over levels (SDM Vol. 3A §4.5), started
// either at CR3 or at a paging structure a paging-structure cache supplied.
// It reads entries, checks P and reserved bits, combines rights, checks
// access rights at the leaf (perms.h), and, unless peeking, sets A in each
// entry it passes and A (and D for writes) in the leaf once the access is
// allowed -- the order QEMU uses, so A/D images agree in boot tests.
#pragma once
#include <cstdint>

#include "mmu/events.h"
#include "mmu/phys.h"
#include "mmu/tlb_array.h"

namespace slot::mmu {

struct WalkStart {
  unsigned level = 4;         // first level read from memory
  PhysAddr table = 0;         // physical address of the structure at `level`
  Perms above{true, true, false, false};  // rights combined over the levels above
  // The entries above, top-down: the supplying PSC entry's record (which no
  // fill during this miss replaces: fills go to the levels below it), or
  // nullptr when the walk starts at CR3.
  const Provenance* prov = nullptr;
  unsigned psc_level = 0;     // the PSC that supplied this start; 0 = CR3
};

struct WalkResult {
  bool ok = false;
  Check failed = Check::None;
  unsigned fail_level = 0;
  PhysAddr page = 0;          // physical base of the page
  PageSize size = PageSize::K4;
  Perms perms;                // combined rights; dirty = leaf D after this walk
  bool global = false;        // leaf G (caller applies CR4.PGE)
  Provenance prov;            // every entry used, top-down, as read
  WalkStep steps[4];          // entries read from memory, top-down
  unsigned nsteps = 0;
  unsigned mem_refs = 0, ad_writes = 0;
  // For paging-structure-cache fills: for each non-leaf level passed,
  // the next table and the rights combined down to that level.
  PhysAddr next_table[5] = {};
  Perms through[5];
  bool passed[5] = {};        // level was present, reserved-clean and A=1
};

struct WalkRequest {
  uint64_t linear = 0;
  Access acc = Access::Read;
  unsigned cls = 2;           // AccessClass (perms.h)
  PagingMode mode;            // CR0, CR4, EFER, PKRU, PKRS (CR3 unused: the start says where)
  bool side_effects = true;   // false: no A/D writes (debugger, stale check)
  bool check_perms = true;    // false: report the mapping whatever the rights
};

WalkResult walk(PhysMemory& mem, const WalkRequest& rq, const WalkStart& start);
// The same walk into a result the caller keeps (the TLB miss path): only the
// fields a reader may look at are reset, not the whole ~330-byte record --
// steps past nsteps, and next_table/through of levels not passed, are stale.
void walk_into(PhysMemory& mem, const WalkRequest& rq, const WalkStart& start, WalkResult& r);

// Describes an entry's flags ("P W U A D PS G NX ...") for traces.
const char* describe_flags(uint64_t raw, unsigned level, char* buf, unsigned len);

}  // namespace slot::mmu
