// Counters, dumps and the debugger's page walk: plain structs the emulator
// formats as text or JSON. Counts are exact; cycles are a model (cost.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/events.h"
#include "mmu/types.h"

namespace slot::mmu {

struct ArrayStats {
  std::string name;
  unsigned level = 1;
  Side side = Side::Data;
  uint64_t hits = 0;
  uint64_t misses = 0;       // lookups for a page of this array's sizes that missed
  uint64_t fills = 0;
  uint64_t evictions = 0;    // valid entries replaced by a fill
  uint64_t dirty_rewalks = 0;  // writes through an entry with D=0 (walk again)
  std::array<uint64_t, kNumInvCauses> invalidations{};  // entries dropped, by cause
};

struct PscStats {
  unsigned level = 4;        // 4 = PML4E cache, 3 = PDPTE, 2 = PDE
  uint64_t hits = 0, misses = 0, fills = 0, evictions = 0;
  std::array<uint64_t, kNumInvCauses> invalidations{};
};

// Events attributed to one address space (CR3 PML4 base + PCID) or one PML4
// slot. `translations` counts every translate() call made while the space
// was current (fast path included); per-slot counters omit L1 hits to keep
// the fast path free of slot arithmetic.
struct SpaceCounters {
  uint64_t translations = 0;
  uint64_t l1_hits = 0, l1_misses = 0;
  uint64_t l2_hits = 0, l2_misses = 0;
  uint64_t walks = 0, walk_refs = 0, psc_hits = 0;
  uint64_t faults = 0, stale = 0;
  uint64_t invalidated = 0;  // TLB entries of this PCID dropped
};

struct SpaceStats {
  uint64_t pml4_base = 0;
  uint16_t pcid = 0;
  uint64_t cr3_loads = 0;
  SpaceCounters c;
};

struct SlotStats {
  unsigned slot = 0;
  SpaceCounters c;           // l1_hits and translations stay 0 here
};

struct MmuStats {
  std::string model;         // preset or file name
  uint64_t translations = 0; // all translate() calls (0 for "none")
  uint64_t l1_hits = 0, l1_misses = 0, l2_hits = 0, l2_misses = 0;
  uint64_t walks = 0, walk_refs = 0, ad_writes = 0;
  uint64_t faults = 0, spurious_faults = 0, stale = 0;
  uint64_t cr3_loads = 0, cr3_noflush = 0, invlpg = 0, invpcid = 0;
  std::vector<ArrayStats> arrays;
  std::vector<PscStats> pscs;
  std::vector<SpaceStats> spaces;   // in order of first CR3 load
  std::vector<SlotStats> slots;     // only slots with any activity
};

// Privileged and bulk work the CPU did, which the cost model prices beyond
// base_cpi (the CPU counts it; cost.cpp prices it).
struct KernelOps {
  uint64_t syscall = 0, sysret = 0, iret = 0, wrmsr = 0;
  uint64_t port_io = 0;                       // IN, OUT, INS, OUTS (each iteration)
  uint64_t string_steps = 0, string_bytes = 0;  // REP MOVS / REP STOS: steps started, bytes moved
  KernelOps& operator+=(const KernelOps& o);
  KernelOps& operator-=(const KernelOps& o);
};

// Everything the cost model prices: counts, or averages of counts per call.
struct CostInputs {
  double instructions = 0, l1_hits = 0, l1_misses = 0, walks = 0, walk_refs = 0;
  double cr3_flush = 0, cr3_noflush = 0, invlpg = 0, invpcid = 0;
  double syscall = 0, sysret = 0, iret = 0, wrmsr = 0, port_io = 0, string_steps = 0, string_bytes = 0;
  void add(const KernelOps& o);
};

// Modelled cycles (cost.cpp); every term is listed so a report can show it.
struct CostBreakdown {
  double instructions = 0, l1 = 0, l2 = 0, walks = 0, mem_refs = 0, cr3 = 0, invlpg = 0;
  double kernel = 0;  // SYSCALL, SYSRET, IRET, WRMSR, port I/O beyond base_cpi
  double copy = 0;    // REP MOVS / REP STOS: start-up and bytes at the modelled bandwidth
  double total() const { return instructions + l1 + l2 + walks + mem_refs + cr3 + invlpg + kernel + copy; }
};

// One valid entry of one array, for --tlb-dump-at and the debugger.
struct TlbDumpEntry {
  std::string array;         // array name, or "PML4E-cache"/"PDPTE-cache"/"PDE-cache"
  unsigned set = 0, way = 0;
  TlbEntryView entry;        // for PSC entries: vpn = tag (address bits above the level),
                             // pfn = next table's physical address >> 12, size unused
  uint64_t age = 0;          // accesses since last use (0 = most recent)
  bool psc = false;
  unsigned psc_level = 0;
};

// The debugger's page-walk panel: a side-effect-free walk plus what the
// caches would do with the same address right now.
struct DebugWalk {
  uint64_t linear = 0;
  bool paging = true;        // false: CR0.PG=0, identity
  bool ok = false;
  PhysAddr pa = 0;
  PageSize size = PageSize::K4;
  Perms perms;
  uint32_t error_code = 0;   // when !ok
  Check failed = Check::None;
  std::vector<WalkStep> steps;  // from memory, top-down
  // What the model would use instead of memory:
  bool tlb_hit = false;
  std::string tlb_array;     // the array that would serve it
  TlbEntryView tlb_entry;
  bool tlb_stale = false;    // the cached entry differs from `steps`
  unsigned psc_level = 0;    // deepest PSC that would supply a table (0 = none)
};

}  // namespace slot::mmu
