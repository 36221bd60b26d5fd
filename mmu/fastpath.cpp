// The host-side mirror behind Mmu::translate()'s inline fast path. A slot
// [access][class][vpn % 256] holds a 4 KiB page that the model would serve
// right now from a first-level TLB entry, for that access kind and privilege
// class, under the current PCID and CR0/CR4/EFER. The invariants that keep
// it exact:
//  - a slot is filled only after the slow path found (or filled) that L1
//    entry and its rights allowed the access (writes: D already set);
//  - whenever that entry leaves (eviction, invalidation) or a smaller entry
//    is filled over its range, the slot is cleared (unmirror*);
//  - any CR0/CR3/CR4/EFER write clears every slot;
//  - with an observer or stale detection on, no slot is filled, so every
//    access reaches the slow path and is reported;
//  - a slot only ever holds a page wholly in RAM.
#include <cstring>

#include "mmu/arch.h"
#include "mmu/mmu_impl.h"
#include "mmu/perms.h"

namespace slot::mmu {

namespace {
constexpr size_t kFilledCap = 3 * 3 * 256 * 2;
}

void Mmu::Impl::fill_slot(Access acc, unsigned cls, uint64_t vpn, PhysAddr page, uint64_t* hits,
                          uint64_t* stamp) {
  FastEntry& f = o.fast_[unsigned(acc)][cls][vpn & (kFastSlots - 1)];
  if (f.tag == kNoTag) {
    if (filled.size() < kFilledCap) filled.push_back(&f);
    else filled_overflow = true;
  }
  f.tag = vpn;
  f.page = page & ~0xFFFull;
  f.hits = hits;
  f.stamp = stamp;
}

uint16_t Mmu::Impl::mirror(Access acc, unsigned cls, uint64_t linear, PhysAddr page,
                           const Perms* perms, uint64_t* hits, uint64_t* stamp) {
  // A slot's tag is always a canonical page number, so a non-canonical
  // address (whose bits 63:12 can equal none of them) never hits: the CPU's
  // inline data path leaves that check to the miss path (cpu_inline.h).
  // A slot serves RAM only, so the CPU's inline path needs no bounds check
  // (cpu_inline.h): an access to device memory always takes the slow path.
  if (!mirror_allowed() || !x86::is_canonical(linear) || (page | 0xFFF) >= mem.size()) return 0;
  const uint64_t vpn = linear >> 12;
  fill_slot(acc, cls, vpn, page, hits, stamp);
  uint16_t tables = mirror_bit(acc, cls);
  // The entry that served a read would serve a write to its page the same
  // way -- the same lookup result, hit counter and stamp, no walk -- if its
  // rights allow the write now and D is already set (else the write walks,
  // §4.8); and the entry that served a write serves reads if they are
  // allowed. Filling that slot too spares the first access of the other kind
  // its trip through the slow path (a load then store to one page).
  // `perms` null: paging is off and every access is allowed.
  if (acc != Access::Fetch) {
    const Access other = acc == Access::Read ? Access::Write : Access::Read;
    if (!perms || ((other == Access::Read || perms->dirty) &&
                   check_access(*perms, other, cls, mode) == Check::None)) {
      fill_slot(other, cls, vpn, page, hits, stamp);
      tables |= mirror_bit(other, cls);
    }
  }
  o.run_slot_changed();
  return tables;
}

void Mmu::Impl::mirror_entry(Access acc, unsigned cls, uint64_t linear, PhysAddr page, Hit h) {
  TlbArray& arr = arrays[h.array()];
  arr.add_mirrored(h.set(), h.way(),
                   mirror(acc, cls, linear, page, &arr.at(h.set(), h.way()).perms, &arr.stats.hits,
                          &arr.stamp(h.set(), h.way())));
}

// Slots serving the way's entry point at its use stamp: that identifies them.
// A 4 KiB entry's slots sit at one index, in the tables its mirrored() bits
// name: a thrashing loop's every first-level eviction looks at two slots, not
// nine lines of the host's cache, most of them cold.
void Mmu::Impl::unmirror_slots(TlbArray& arr, unsigned set, unsigned way) {
  unsigned tables = arr.mirrored(set, way);
  arr.clear_mirrored(set, way);
  const TlbEntry& e = arr.at(set, way);
  const uint64_t* stamp = &arr.stamp(set, way);
  if (e.size == PageSize::K4) {
    const unsigned i = unsigned(e.vpn & (kFastSlots - 1));
    for (; tables; tables &= tables - 1) {
      const unsigned t = unsigned(__builtin_ctz(tables));
      FastEntry& f = o.fast_[t >> 2][t & 3][i];
      if (f.stamp == stamp) f.tag = kNoTag;
    }
  } else if (filled_overflow) {
    for (auto& per_acc : o.fast_)
      for (auto& table : per_acc)
        for (FastEntry& f : table)
          if (f.stamp == stamp) f.tag = kNoTag;
  } else {
    for (FastEntry* f : filled)
      if (f->stamp == stamp) f->tag = kNoTag;
  }
  o.run_slot_changed();
}

// Clears slots for 4 KiB pages inside [linear, linear + size) (bits 47:0).
void Mmu::Impl::unmirror_range(uint64_t la, PageSize size) {
  const uint64_t lo = la >> 12 & ~((page_bytes(size) >> 12) - 1);
  const uint64_t n = page_bytes(size) >> 12;
  auto in = [&](const FastEntry& f) {
    return f.tag != kNoTag && ((f.tag & 0xF'FFFF'FFFFull) - lo) < n;
  };
  if (size == PageSize::K4) {
    for (auto& per_acc : o.fast_)
      for (auto& table : per_acc)
        if (in(table[lo & (kFastSlots - 1)])) table[lo & (kFastSlots - 1)].tag = kNoTag;
  } else if (filled_overflow) {
    for (auto& per_acc : o.fast_)
      for (auto& table : per_acc)
        for (FastEntry& f : table)
          if (in(f)) f.tag = kNoTag;
  } else {
    for (FastEntry* f : filled)
      if (in(*f)) f->tag = kNoTag;
  }
  o.run_slot_changed();
}

void Mmu::Impl::flush_mirror() {
  if (filled_overflow) {
    for (auto& per_acc : o.fast_)
      for (auto& table : per_acc)
        for (FastEntry& f : table) f.tag = kNoTag;
    filled_overflow = false;
  } else {
    for (FastEntry* f : filled) f->tag = kNoTag;
  }
  filled.clear();
  o.run_slot_changed();
}

// A run's slot no longer serves its page: the CPU must end the run (its
// charges so far were made when the model was entered).
void Mmu::run_slot_changed() const {
  if (run_slot_ && (run_slot_->tag != run_tag_ || run_slot_->page != run_page_)) *run_lost_ = true;
}

}  // namespace slot::mmu
