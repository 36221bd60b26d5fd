// The TLB hierarchy: which arrays a lookup probes, where a translation is
// filled (splintering a page no array of a level holds into the largest
// smaller size, as SDM Vol. 3A §4.10.2.3 permits), and how entries leave.
// First and second level are "non-inclusive, non-exclusive": a walk fills
// both, an STLB hit fills the first level, and each level evicts on its own.
#include "mmu/arch.h"
#include "mmu/mmu_impl.h"

namespace slot::mmu {

namespace {
constexpr uint64_t kLinearMask = 0xFFFF'FFFF'FFFFull;  // bits 47:0
bool in_group(const ArrayConfig& c, unsigned group) {
  if (group == 2) return c.level == 2;
  if (c.level != 1) return false;
  return c.side == Side::Unified || unsigned(c.side) == group;  // Instr = 0, Data = 1
}
}  // namespace

void Mmu::Impl::build_plans() {
  may_splinter.assign(arrays.size(), false);
  for (unsigned g = 0; g < 3; ++g) {
    probes[g].clear();
    for (unsigned s = 0; s < kNumPageSizes; ++s)
      for (unsigned a = 0; a < arrays.size(); ++a)
        if (in_group(arrays[a].cfg(), g) && arrays[a].holds(PageSize(s)))
          probes[g].push_back({a, PageSize(s), &arrays[a], page_shift(PageSize(s))});
    for (unsigned s = 0; s < kNumPageSizes; ++s) {
      target[g][s] = -1;
      target_size[g][s] = PageSize(s);
      for (int es = int(s); es >= 0 && target[g][s] < 0; --es)
        for (unsigned a = 0; a < arrays.size(); ++a)
          if (in_group(arrays[a].cfg(), g) && arrays[a].holds(PageSize(es))) {
            target[g][s] = int(a);
            target_size[g][s] = PageSize(es);
            if (unsigned(es) != s) may_splinter[a] = true;
            break;
          }
    }
  }
}

Hit Mmu::Impl::lookup(unsigned group, uint64_t linear) const {
  const uint64_t la = linear & kLinearMask;
  for (const Probe& p : probes[group]) {
    const TlbArray& arr = *p.arr;  // (arrays never grows after construction)
    if (!arr.holds_any(p.size)) continue;
    const uint64_t vpn = la >> p.shift;
    int w = arr.lookup(p.size, vpn, pcid);
    if (w >= 0) return Hit{int(p.array), arr.set_of(vpn), unsigned(w)};
  }
  return Hit{};
}

Hit Mmu::Impl::fill(unsigned group, uint64_t linear, const Translation& t, const Provenance& prov,
                    bool absent) {
  const int a = target[group][unsigned(t.size)];
  if (a < 0) return Hit{};
  TlbArray& arr = arrays[a];
  if (absent) ++arr.stats.misses;  // the miss the fill answers, counted on the array filled
  const PageSize es = target_size[group][unsigned(t.size)];
  const uint64_t la = linear & kLinearMask;
  const uint64_t vpn = la >> page_shift(es);
  const uint64_t within = la & (page_bytes(t.size) - 1) & ~(page_bytes(es) - 1);
  const unsigned set = arr.set_of(vpn);
  bool evicting = false;
  const unsigned way = arr.choose_way(es, vpn, pcid, t.global, evicting, absent);
  TlbEntry& e = arr.at(set, way);
  // Only first-level entries are ever mirrored (mirror_entry): a second-
  // level fill leaves the mirrored() marks alone -- on a TLB-thrashing loop
  // a line of the host's cache per fill that nothing else here touches.
  const bool first_level = group != 2;
  if (evicting) {  // (not drop(): no kill, which the refill below would undo)
    ++arr.stats.evictions;
    if (obs) [[unlikely]]
      emit_tlb(TlbEventKind::Evict, unsigned(a), set, way, arr.base_of(set, way), Access::Read, InvCause::Evict);
    if (first_level) unmirror(arr, set, way);
    arr.evict(set, way);
  } else if (arr.live(e)) {
    if (first_level) unmirror(arr, set, way);  // refreshed in place (e.g. D now set)
    arr.kill(set, way);
  }
  // A new first-level entry takes priority over larger ones for its range
  // (lookups probe small pages first): the mirror must forget those. Not
  // needed when this side's lookup of the address just missed: no first-
  // level entry of any size covers it, so no larger one covers the range and
  // no slot serves a page in it from one. (A unified array is probed by both
  // sides; only one side's lookup missed.)
  if (first_level && !(absent && arr.cfg().side != Side::Unified)) unmirror_range(la, es);
  const bool global = t.global;
  e.vpn = vpn;
  e.pfn = (t.page + within) >> page_shift(es);
  arr.stamp(set, way) = ++o.clock_;
  e.pcid = pcid;
  e.size = es;
  e.orig_size = t.orig;
  e.valid = true;
  e.global = global;
  e.perms = t.perms;
  arr.commit(set, way, es, vpn, pcid, global);
  if (first_level) arr.clear_mirrored(set, way);
  arr.prov(set, way) = prov;
  ++arr.stats.fills;
  if (stale == StaleMode::FlushOnWrite) watch(prov);
  if (obs) [[unlikely]] emit_tlb(TlbEventKind::Fill, unsigned(a), set, way, linear, Access::Read);
  return Hit{a, set, way};
}

void Mmu::Impl::drop(unsigned a, unsigned set, unsigned way, InvCause cause, uint64_t linear) {
  TlbArray& arr = arrays[a];
  if (obs) [[unlikely]] emit_tlb(TlbEventKind::Invalidate, a, set, way, linear, Access::Read, cause);
  ++arr.stats.invalidations[unsigned(cause)];
  if (arr.at(set, way).pcid == pcid) ++space().c.invalidated;
  unmirror(arr, set, way);
  arr.kill(set, way);
}

unsigned Mmu::Impl::drop_page(uint64_t linear, uint16_t p, bool globals_too, InvCause cause) {
  const uint64_t la = linear & kLinearMask;
  unsigned n = 0;
  for (unsigned a = 0; a < arrays.size(); ++a) {
    TlbArray& arr = arrays[a];
    auto hit = [&](const TlbEntry& e) {
      return arr.live(e) && e.covers(la) && ((!e.global && e.pcid == p) || (e.global && globals_too));
    };
    if (may_splinter[a]) {  // pieces of one large page may sit in any set
      for (unsigned i = 0; i < arr.size(); ++i)
        if (hit(arr.flat(i))) { drop(a, i / arr.cfg().ways, i % arr.cfg().ways, cause, la); ++n; }
      continue;
    }
    for (unsigned s = 0; s < kNumPageSizes; ++s) {
      if (!arr.holds(PageSize(s))) continue;
      const unsigned set = arr.set_of(la >> page_shift(PageSize(s)));
      for (unsigned w = 0; w < arr.cfg().ways; ++w)
        if (hit(arr.at(set, w))) { drop(a, set, w, cause, la); ++n; }
    }
  }
  return n;
}

unsigned Mmu::Impl::drop_psc_for(uint64_t linear, uint16_t p, InvCause cause) {
  unsigned n = 0;
  for (Psc& c : pscs) {
    unsigned set = 0, way = 0;
    if (c.lookup(linear, p, &set, &way)) { psc_drop(c, set * c.cfg().ways + way, cause); ++n; }
  }
  return n;
}

unsigned Mmu::Impl::flush_all_entries(InvCause cause) {
  unsigned n = drop_tlb_if([](const TlbEntry&, const Provenance&) { return true; }, cause);
  drop_psc_if([](const PscEntry&, const Provenance&) { return true; }, cause);
  flush_mirror();
  return n;
}

unsigned Mmu::Impl::flush_pcid_entries(uint16_t p, bool globals_too, InvCause cause, unsigned* psc) {
  unsigned n = 0;
  if (globals_too || obs) {  // eager: globals are not covered by epochs; observers want each entry
    n = drop_tlb_if(
        [&](const TlbEntry& e, const Provenance&) { return e.pcid == p && (globals_too || !e.global); },
        cause);
  }
  // Lazy: every live non-global entry of PCID p dies with its epoch.
  for (TlbArray& arr : arrays) {
    const unsigned k = arr.expire(p);
    arr.stats.invalidations[unsigned(cause)] += k;
    if (p == pcid) space().c.invalidated += k;
    n += k;
  }
  ++epochs[p];
  flush_mirror();
  unsigned m = drop_psc_if([&](const PscEntry& e, const Provenance&) { return e.pcid == p; }, cause);
  if (psc) *psc = m;
  return n;
}

uint64_t Mmu::Impl::l1_hits_total() const {
  uint64_t n = 0;
  for (const TlbArray& a : arrays)
    if (a.cfg().level == 1) n += a.stats.hits;
  return n;
}

}  // namespace slot::mmu
