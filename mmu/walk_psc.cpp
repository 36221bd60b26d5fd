// How a walk uses the paging-structure caches (SDM Vol. 3A §4.10.3.2): on a
// TLB miss the deepest cache holding an entry for the address and the
// current PCID supplies the paging structure to continue from (PDE cache,
// then PDPTE, then PML4E), and the walk reads only the levels below. After
// the walk, every non-leaf level it read and passed (present, A=1, no
// reserved bit) is cached -- even when a lower level then faults, which the
// SDM allows (§4.10.3.1: an entry may exist although no translation uses it).
#include "mmu/arch.h"
#include "mmu/mmu_impl.h"

namespace slot::mmu {

WalkStart Mmu::Impl::psc_start(uint64_t linear, Access acc) {
  WalkStart st = cr3_start();
  for (unsigned level = 2; level <= 4; ++level) {
    Psc* c = psc_at[level];
    if (!c || !c->enabled()) continue;
    unsigned set = 0, way = 0;
    PscEntry* e = c->lookup(linear, pcid, &set, &way);
    if (!e) { ++c->stats.misses; continue; }
    ++c->stats.hits;
    e->stamp = ++o.clock_;
    st.level = level - 1;
    st.table = e->table;
    st.above = e->perms;
    st.prov = &c->prov_of(*e);
    st.psc_level = level;
    ++space().c.psc_hits;
    ++slot(linear).psc_hits;
    if (obs) [[unlikely]] {
      WalkStep steps[3];
      unsigned n = 0;
      for (unsigned i = 0; i < st.prov->n && n < 3; ++i, ++n)
        steps[n] = WalkStep{4 - i, st.prov->pa[i], st.prov->val[i], true, false, false, false,
                            Check::None};
      emit_steps(linear, acc, steps, n);
      TlbEvent ev;
      ev.kind = TlbEventKind::Hit;
      ev.array = c->name();
      ev.set = set;
      ev.way = way;
      ev.linear = linear;
      ev.access = acc;
      ev.entry.vpn = e->tag;
      ev.entry.pfn = e->table >> 12;
      ev.entry.pcid = e->pcid;
      ev.entry.perms = e->perms;
      obs->on_psc(ev);
    }
    return st;
  }
  return st;
}

void Mmu::Impl::psc_fill(uint64_t linear, const WalkResult& r, const WalkStart& st) {
  for (unsigned level = st.level; level >= 2; --level) {
    if (!r.passed[level]) break;
    Psc* c = psc_at[level];
    if (!c || !c->enabled()) continue;
    // The provenance of a level-L entry is the first 5-L entries of the walk.
    Provenance prov = r.prov;
    prov.n = uint8_t(5 - level);
    bool evicting = false;
    PscEntry old;
    unsigned set = 0, way = 0;
    PscEntry& e = c->fill(linear, pcid, r.next_table[level], r.through[level], prov, ++o.clock_,
                          evicting, old, set, way);
    ++c->stats.fills;
    if (evicting) ++c->stats.evictions;
    if (stale == StaleMode::FlushOnWrite) watch(prov);
    if (obs) [[unlikely]] {
      TlbEvent ev;
      ev.array = c->name();
      ev.set = set;
      ev.way = way;
      ev.linear = linear;
      if (evicting) {
        ev.kind = TlbEventKind::Evict;
        ev.entry.vpn = old.tag;
        ev.entry.pfn = old.table >> 12;
        ev.entry.pcid = old.pcid;
        ev.entry.perms = old.perms;
        obs->on_psc(ev);
      }
      ev.kind = TlbEventKind::Fill;
      ev.entry.vpn = e.tag;
      ev.entry.pfn = e.table >> 12;
      ev.entry.pcid = e.pcid;
      ev.entry.perms = e.perms;
      obs->on_psc(ev);
    }
  }
}

void Mmu::Impl::psc_drop(Psc& c, unsigned i, InvCause cause) {
  PscEntry& e = c.flat(i);
  if (obs) [[unlikely]] {
    TlbEvent ev;
    ev.kind = TlbEventKind::Invalidate;
    ev.array = c.name();
    ev.set = i / c.cfg().ways;
    ev.way = i % c.cfg().ways;
    ev.linear = e.tag << (12 + 9 * (c.level() - 1));
    ev.entry.vpn = e.tag;
    ev.entry.pfn = e.table >> 12;
    ev.entry.pcid = e.pcid;
    ev.entry.perms = e.perms;
    ev.cause = cause;
    obs->on_psc(ev);
  }
  ++c.stats.invalidations[unsigned(cause)];
  c.drop(i);
}

}  // namespace slot::mmu
