// What the MMU model reports while it works. An observer attached with
// Mmu::set_observer() receives every event synchronously, in order; the
// emulator's tracer adds what the MMU does not know (instruction count, RIP,
// CPL) at the moment of the call. Events are plain structs so the tracer can
// copy or format them. With no observer attached the MMU pays one
// predictable branch per slow-path step, and nothing on the fast path (the
// fast path is switched off while an observer is attached, so every TLB hit
// is reported).
#pragma once
#include <cstdint>

#include "mmu/types.h"

namespace slot::mmu {

// One TLB (or PSC) entry as the model holds it.
struct TlbEntryView {
  uint64_t vpn = 0;         // linear address >> page_shift(size)
  uint64_t pfn = 0;         // physical address >> page_shift(size)
  PageSize size = PageSize::K4;       // size of this entry
  PageSize orig_size = PageSize::K4;  // size of the page it was made from (splintering)
  uint16_t pcid = 0;
  bool global = false;
  Perms perms;
  uint64_t linear() const { return vpn << page_shift(size); }
  PhysAddr phys() const { return pfn << page_shift(size); }
};

enum class TlbEventKind : uint8_t { Hit, Miss, Fill, Evict, Invalidate };
inline const char* tlb_event_name(TlbEventKind k) {
  static const char* const n[] = {"hit", "miss", "fill", "evict", "invalidate"};
  return n[unsigned(k)];
}

struct TlbEvent {
  TlbEventKind kind = TlbEventKind::Hit;
  const char* array = "";   // ArrayConfig::name (stable for the Mmu's lifetime)
  unsigned array_index = 0; // index into TlbConfig::arrays
  unsigned set = 0, way = 0;
  uint64_t linear = 0;      // the address looked up (Hit/Miss/Fill) or invalidated
  Access access = Access::Read;
  TlbEntryView entry;       // the entry hit, filled, evicted or invalidated
  InvCause cause = InvCause::Evict;  // for Invalidate
};

// One paging-structure entry consulted by a walk.
struct WalkStep {
  unsigned level = 4;       // 4 = PML4E .. 1 = PTE
  PhysAddr entry_pa = 0;    // physical address of the 8-byte entry
  uint64_t raw = 0;         // its value as used (before A/D updates)
  bool from_psc = false;    // supplied by a paging-structure cache, not read
  bool leaf = false;        // maps the page (PTE, or PS=1 in a PDPTE/PDE)
  bool set_a = false, set_d = false;  // A/D written by this walk
  Check failed = Check::None;         // the check that failed at this step
};

struct WalkEvent {
  uint64_t linear = 0;
  Access access = Access::Read;
  WalkStep step;
};

struct Cr3Event {
  uint64_t old_cr3 = 0, new_cr3 = 0;  // as written (new_cr3 may carry bit 63)
  uint16_t pcid = 0;                  // the new PCID (0 when CR4.PCIDE=0)
  bool noflush = false;               // bit 63 honoured
  unsigned tlb_flushed = 0, psc_flushed = 0;
};

// A translation served from a cache that no longer matches the page tables
// in memory (detected by re-walk on hit; see Mmu::set_stale_mode()).
struct StaleEvent {
  uint64_t linear = 0;
  Access access = Access::Read;
  const char* source = "";     // array name, or "PML4E-cache"/"PDPTE-cache"/"PDE-cache"
  // What the cache supplied:
  PhysAddr cached_pa = 0;
  PageSize cached_size = PageSize::K4;
  Perms cached_perms;
  // What a walk of memory gives now:
  bool current_ok = false;     // false: the page is not mapped now
  PhysAddr current_pa = 0;
  PageSize current_size = PageSize::K4;
  Perms current_perms;
  // The first paging entry (top-down) whose value differs from the one the
  // cached translation was made from (A/D ignored). changed_level = 0 when
  // the difference could not be attributed.
  unsigned changed_level = 0;
  PhysAddr changed_pa = 0;
  uint64_t old_value = 0, new_value = 0;
};

struct FaultEvent {
  uint64_t linear = 0;
  Access access = Access::Read;
  uint32_t error_code = 0;
  Check failed = Check::None;
  bool from_tlb = false;       // permissions came from a cached entry
};

class MmuObserver {
 public:
  virtual ~MmuObserver() = default;
  virtual void on_tlb(const TlbEvent&) {}
  virtual void on_walk_step(const WalkEvent&) {}
  virtual void on_cr3(const Cr3Event&) {}
  virtual void on_stale(const StaleEvent&) {}
  virtual void on_fault(const FaultEvent&) {}
  // PSC fills/invalidations, reported with array = "PML4E-cache" etc.
  virtual void on_psc(const TlbEvent&) {}
};

}  // namespace slot::mmu
