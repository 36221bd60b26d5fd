// Internal: the state behind Mmu and the table of contents of the files that
// implement it. Not for use outside mmu/ (tests may look).
#pragma once
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "mmu/mmu.h"
#include "mmu/pscache.h"
#include "mmu/tlb_array.h"
#include "mmu/walker.h"

namespace slot::mmu {

// A translation about to be cached.
struct Translation {
  PhysAddr page = 0;            // physical base of the entry's source page
  PageSize size = PageSize::K4; // size of the source (entry or page)
  PageSize orig = PageSize::K4; // size of the page in the page tables
  Perms perms;
  bool global = false;
};

// Where a lookup or fill landed: array, set and way packed in one word, so
// it is returned in a register (a three-field struct went through the
// stack, and reading it back stalled on store forwarding).
class Hit {
 public:
  Hit() = default;
  Hit(int array, unsigned set, unsigned way)
      : v_(uint64_t(unsigned(array) + 1) << 48 | uint64_t(set) << 16 | way) {}
  int array() const { return int(v_ >> 48) - 1; }
  unsigned set() const { return unsigned(v_ >> 16); }
  unsigned way() const { return unsigned(v_ & 0xFFFF); }
  explicit operator bool() const { return v_ != 0; }

 private:
  uint64_t v_ = 0;
};

class Mmu::Impl {
 public:
  Impl(Mmu& owner, PhysMemory& mem, const TlbConfig& cfg);

  Mmu& o;
  PhysMemory& mem;
  TlbConfig cfg;
  PagingMode mode;
  uint16_t pcid = 0;
  std::array<uint32_t, 4096> epochs{};  // per-PCID flush epochs (TlbArray)
  std::vector<TlbArray> arrays;
  std::vector<Psc> pscs;
  Psc* psc_at[5] = {};          // by level (4, 3, 2)

  // Lookup plans, per group: 0 = L1 instruction side, 1 = L1 data side,
  // 2 = second level. probes: (array, entry size) in lookup order (small
  // pages first); target[size]: where a page of that size is filled, and
  // as which entry size (a smaller one when splintering).
  struct Probe { unsigned array; PageSize size; const TlbArray* arr; unsigned shift; };
  std::vector<Probe> probes[3];
  int target[3][kNumPageSizes];
  PageSize target_size[3][kNumPageSizes];
  std::vector<bool> may_splinter;  // per array: holds pieces of larger pages

  MmuObserver* obs = nullptr;
  StaleMode stale = StaleMode::Off;
  bool own_write = false;       // the walker is writing A/D: not a guest write

  // Global counters (MmuStats' scalar fields).
  MmuStats g;
  uint64_t scratch_hits = 0, scratch_stamp = 0;  // fast-path targets for "none"/paging off

  // Per address space and per PML4 slot.
  std::unordered_map<uint64_t, size_t> space_index;
  std::vector<SpaceStats> spaces;
  size_t cur_space = 0;
  uint64_t l1_hits_mark = 0;    // L1 hits already attributed to a space
  std::array<SpaceCounters, 512> slots{};

  WalkResult walk_buf;          // the miss path's walk (walk_into: no per-walk clearing)

  // Fast-path slots filled since the last full flush.
  std::vector<FastEntry*> filled;
  bool filled_overflow = false;

  // ---- mmu.cpp: translation and control registers ----
  bool translate(uint64_t linear, Access acc, const AccessCtx& who, PhysAddr& pa, Fault& fault);
  bool translate_untracked(uint64_t linear, Access acc, unsigned cls, bool user, PhysAddr& pa,
                           Fault& fault);
  bool finish_walk(uint64_t linear, Access acc, unsigned cls, bool user, bool missed,
                   PhysAddr& pa, Fault& fault);
  bool raise(uint64_t linear, Access acc, Check c, bool user, bool from_tlb, Fault& fault);
  void write_cr0(uint64_t v);
  void write_cr3(uint64_t v);
  void write_cr4(uint64_t v);
  void write_efer(uint64_t v);
  void write_pkeys(uint32_t pkru, uint32_t pkrs);
  void reset_mode(const PagingMode& m);
  bool paging() const { return mode.cr0 & 0x8000'0000ull; }
  WalkRequest request(uint64_t linear, Access acc, unsigned cls, bool effects, bool perms) const;
  WalkStart cr3_start() const;

  // ---- tlb_hierarchy.cpp: lookup, fill, invalidation ----
  void build_plans();
  Hit lookup(unsigned group, uint64_t linear) const;
  // `absent`: this group's lookup of `linear` just missed (see TlbArray::choose_way);
  // the fill counts that miss on the array it fills.
  Hit fill(unsigned group, uint64_t linear, const Translation& t, const Provenance& prov,
           bool absent);
  // Invalidates a live way (an eviction is fill()'s own), for `cause`.
  void drop(unsigned array, unsigned set, unsigned way, InvCause cause, uint64_t linear);
  template <class Pred> unsigned drop_tlb_if(Pred pred, InvCause cause);
  template <class Pred> unsigned drop_psc_if(Pred pred, InvCause cause);
  unsigned drop_page(uint64_t linear, uint16_t pcid, bool globals_too, InvCause cause);
  unsigned drop_psc_for(uint64_t linear, uint16_t pcid, InvCause cause);
  unsigned flush_all_entries(InvCause cause);
  unsigned flush_pcid_entries(uint16_t pcid, bool globals_too, InvCause cause, unsigned* psc);
  uint64_t l1_hits_total() const;

  // ---- pscache use (walk_psc.cpp) ----
  WalkStart psc_start(uint64_t linear, Access acc);
  void psc_fill(uint64_t linear, const WalkResult& r, const WalkStart& st);
  void psc_drop(Psc& p, unsigned i, InvCause cause);

  // ---- fastpath.cpp: the host-side mirror of usable L1 entries ----
  // Returns the tables it filled a slot in, as TlbArray::mirrored() bits.
  uint16_t mirror(Access acc, unsigned cls, uint64_t linear, PhysAddr page, const Perms* perms,
                  uint64_t* hits, uint64_t* stamp);
  static uint16_t mirror_bit(Access acc, unsigned cls) { return uint16_t(1u << (unsigned(acc) * 4 + cls)); }
  void fill_slot(Access acc, unsigned cls, uint64_t vpn, PhysAddr page, uint64_t* hits,
                 uint64_t* stamp);
  // mirror() for the first-level entry at `h`, which serves this access now;
  // marks it mirrored, so that its leaving clears the slots.
  void mirror_entry(Access acc, unsigned cls, uint64_t linear, PhysAddr page, Hit h);
  void unmirror(TlbArray& arr, unsigned set, unsigned way) {
    if (arr.mirrored(set, way)) unmirror_slots(arr, set, way);  // most entries never were
  }
  void unmirror_slots(TlbArray& arr, unsigned set, unsigned way);
  void unmirror_range(uint64_t linear, PageSize size);
  void flush_mirror();
  bool mirror_allowed() const { return obs == nullptr && stale != StaleMode::Detect; }

  // ---- stale.cpp: stale detection and flush-on-write ----
  void check_stale(const char* source, uint64_t linear, Access acc, PhysAddr cached_pa,
                   PageSize cached_size, const Perms& cached, const Provenance& prov);
  void check_stale_psc(uint64_t linear, Access acc, const WalkStart& st);
  void watch(const Provenance& prov);
  void watch_all();
  void phys_write(PhysAddr pa, unsigned size);

  // ---- stats.cpp ----
  SpaceStats& space() { return spaces[cur_space]; }
  SpaceCounters& slot(uint64_t linear) { return slots[(linear >> 39) & 511]; }
  void switch_space();
  void attribute_hits();
  MmuStats stats() const;
  MmuStats totals() const;
  void reset_stats();

  // ---- dump.cpp ----
  std::vector<TlbDumpEntry> dump() const;
  DebugWalk debug_walk(uint64_t linear, Access acc, const AccessCtx& who) const;

  // ---- serialize.cpp ----
  std::vector<uint8_t> save() const;
  void load(const std::vector<uint8_t>& blob);

  // Event helpers (one predictable branch when nobody listens).
  void emit_tlb(TlbEventKind k, unsigned array, unsigned set, unsigned way, uint64_t linear,
                Access acc, InvCause cause = InvCause::Evict);
  void emit_steps(uint64_t linear, Access acc, const WalkStep* steps, unsigned n);
};

}  // namespace slot::mmu

// ---- template bodies (used by several files) ----
namespace slot::mmu {

template <class Pred>
unsigned Mmu::Impl::drop_tlb_if(Pred pred, InvCause cause) {
  unsigned n = 0;
  for (unsigned a = 0; a < arrays.size(); ++a) {
    TlbArray& arr = arrays[a];
    const unsigned ways = arr.cfg().ways;
    for (unsigned i = 0; i < arr.size(); ++i) {
      const TlbEntry& e = arr.flat(i);
      if (arr.live(e) && pred(e, arr.flat_prov(i))) {
        drop(a, i / ways, i % ways, cause, e.vpn << page_shift(e.size));
        ++n;
      }
    }
  }
  return n;
}

template <class Pred>
unsigned Mmu::Impl::drop_psc_if(Pred pred, InvCause cause) {
  unsigned n = 0;
  for (Psc& p : pscs)
    for (unsigned i = 0; i < p.size(); ++i)
      if (p.flat(i).valid && pred(p.flat(i), p.flat_prov(i))) {
        psc_drop(p, i, cause);
        ++n;
      }
  return n;
}

}  // namespace slot::mmu
