// Statistics: per array (kept in each TlbArray/Psc), per address space (CR3
// PML4 base + PCID) and per PML4 slot. L1 hits on the fast path only bump
// the serving array's counter; they are attributed to the current address
// space lazily, when the space changes or statistics are read.
#include "mmu/arch.h"
#include "mmu/mmu_impl.h"

namespace slot::mmu {

void Mmu::Impl::attribute_hits() {
  const uint64_t t = l1_hits_total();
  const uint64_t d = t - l1_hits_mark;
  spaces[cur_space].c.l1_hits += d;
  spaces[cur_space].c.translations += d;
  l1_hits_mark = t;
}

void Mmu::Impl::switch_space() {
  attribute_hits();
  const uint64_t base = mode.cr3 & x86::PHYS_ADDR_MASK;
  const uint64_t key = base | pcid;
  auto it = space_index.find(key);
  if (it == space_index.end()) {
    SpaceStats s;
    s.pml4_base = base;
    s.pcid = pcid;
    it = space_index.emplace(key, spaces.size()).first;
    spaces.push_back(s);
  }
  cur_space = it->second;
}

MmuStats Mmu::Impl::totals() const {
  MmuStats s = g;  // the scalar counters (its lists stay empty)
  s.l1_hits = l1_hits_total();
  s.translations = cfg.modelled ? s.l1_hits + s.l1_misses : 0;
  return s;
}

MmuStats Mmu::Impl::stats() const {
  MmuStats s = totals();
  s.model = cfg.name;
  for (const TlbArray& a : arrays) s.arrays.push_back(a.stats);
  for (const Psc& p : pscs) s.pscs.push_back(p.stats);
  s.spaces = spaces;
  const uint64_t pending = s.l1_hits - l1_hits_mark;
  s.spaces[cur_space].c.l1_hits += pending;
  s.spaces[cur_space].c.translations += pending;
  // Drop the placeholder space of "before the first CR3 load" if unused.
  if (!s.spaces.empty() && s.spaces[0].cr3_loads == 0 && s.spaces[0].c.translations == 0 &&
      s.spaces[0].c.faults == 0 && cur_space != 0)
    s.spaces.erase(s.spaces.begin());
  for (unsigned i = 0; i < 512; ++i) {
    const SpaceCounters& c = slots[i];
    if (c.l1_misses || c.walks || c.faults || c.stale || c.psc_hits) {
      SlotStats ss;
      ss.slot = i;
      ss.c = c;
      s.slots.push_back(ss);
    }
  }
  return s;
}

void Mmu::Impl::reset_stats() {
  const std::string model = g.model;
  g = MmuStats{};
  g.model = model;
  for (TlbArray& a : arrays) {
    ArrayStats fresh;
    fresh.name = a.stats.name;
    fresh.level = a.stats.level;
    fresh.side = a.stats.side;
    a.stats = fresh;  // the fast path keeps pointing at a.stats.hits
  }
  for (Psc& p : pscs) {
    PscStats fresh;
    fresh.level = p.stats.level;
    p.stats = fresh;
  }
  for (SpaceStats& sp : spaces) {
    sp.cr3_loads = 0;
    sp.c = SpaceCounters{};
  }
  slots.fill(SpaceCounters{});
  l1_hits_mark = 0;
}

}  // namespace slot::mmu
