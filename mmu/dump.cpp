// Read-only views for the debugger and --tlb-dump-at: every valid entry of
// every array and paging-structure cache, and a side-effect-free page walk
// annotated with what the caches would do.
#include <algorithm>

#include "mmu/arch.h"
#include "mmu/mmu_impl.h"
#include "mmu/perms.h"

namespace slot::mmu {

namespace {
// Age = rank of the way's stamp within its set among valid ways (0 = MRU).
// `live(w)` and `stamp(w)` read way w of the set.
template <class Live, class Stamp>
uint64_t rank_in_set(unsigned ways, unsigned way, Live live, Stamp stamp) {
  uint64_t r = 0;
  for (unsigned w = 0; w < ways; ++w)
    if (w != way && live(w) && stamp(w) > stamp(way)) ++r;
  return r;
}
}  // namespace

std::vector<TlbDumpEntry> Mmu::Impl::dump() const {
  std::vector<TlbDumpEntry> out;
  for (const TlbArray& a : arrays) {
    const unsigned ways = a.cfg().ways;
    for (unsigned i = 0; i < a.size(); ++i) {
      const TlbEntry& e = a.flat(i);
      if (!a.live(e)) continue;
      TlbDumpEntry d;
      d.array = a.cfg().name;
      d.set = i / ways;
      d.way = i % ways;
      d.entry = e.view();
      const unsigned row = d.set * ways;
      d.age = rank_in_set(ways, d.way, [&](unsigned w) { return a.live(a.flat(row + w)); },
                          [&](unsigned w) { return a.flat_stamp(row + w); });
      out.push_back(std::move(d));
    }
  }
  for (const Psc& p : pscs) {
    const unsigned ways = p.cfg().ways;
    for (unsigned i = 0; i < p.size(); ++i) {
      const PscEntry& e = p.flat(i);
      if (!e.valid) continue;
      TlbDumpEntry d;
      d.array = p.name();
      d.set = i / ways;
      d.way = i % ways;
      d.entry.vpn = e.tag;
      d.entry.pfn = e.table >> 12;
      d.entry.pcid = e.pcid;
      d.entry.perms = e.perms;
      const unsigned row = d.set * ways;
      d.age = rank_in_set(ways, d.way, [&](unsigned w) { return p.flat(row + w).valid; },
                          [&](unsigned w) { return p.flat(row + w).stamp; });
      d.psc = true;
      d.psc_level = p.level();
      out.push_back(std::move(d));
    }
  }
  return out;
}

DebugWalk Mmu::Impl::debug_walk(uint64_t linear, Access acc, const AccessCtx& who) const {
  DebugWalk d;
  d.linear = linear;
  if (!paging()) {
    d.paging = false;
    d.ok = true;
    d.pa = linear;
    return d;
  }
  const unsigned cls = who.supervisor_implicit ? kSup : who.cpl == 3 ? kUser : who.ac ? kSupAc : kSup;
  const WalkResult r = walk(mem, request(linear, acc, cls, false, true), cr3_start());
  d.steps.assign(r.steps, r.steps + r.nsteps);
  d.ok = r.ok;
  d.failed = r.failed;
  d.size = r.size;
  d.perms = r.perms;
  if (r.ok) d.pa = r.page | (linear & (page_bytes(r.size) - 1));
  else d.error_code = pf_error_code(r.failed, acc, who.cpl == 3 && !who.supervisor_implicit,
                                    mode.cr4, mode.efer);
  if (!cfg.modelled) return d;
  Hit h = lookup(acc == Access::Fetch ? 0 : 1, linear);
  if (!h) h = lookup(2, linear);
  if (h) {
    const TlbEntry& e = arrays[h.array()].at(h.set(), h.way());
    d.tlb_hit = true;
    d.tlb_array = arrays[h.array()].cfg().name;
    d.tlb_entry = e.view();
    const PhysAddr cpa = (e.pfn << page_shift(e.size)) | (linear & (page_bytes(e.size) - 1));
    const WalkResult m = walk(mem, request(linear, acc, cls, false, false), cr3_start());
    const PhysAddr mpa = m.page | (linear & (page_bytes(m.size) - 1));
    d.tlb_stale = !m.ok || mpa != cpa || m.perms.w != e.perms.w || m.perms.u != e.perms.u ||
                  m.perms.nx != e.perms.nx;
  }
  for (unsigned level = 2; level <= 4 && !d.psc_level; ++level) {
    const Psc* c = psc_at[level];
    if (c && const_cast<Psc*>(c)->lookup(linear, pcid)) d.psc_level = level;
  }
  return d;
}

}  // namespace slot::mmu
