// Stale translations. Hardware may keep using a cached translation after the
// paging entries it came from change (SDM Vol. 3A §4.10.4.2-3); the model
// does the same. Two optional helpers:
//  - Detect: every TLB hit and every PSC-assisted walk is compared with a
//    fresh walk of memory (no side effects). A difference in the physical
//    address, the combined rights, or presence is a StaleEvent that names
//    the first paging entry, top-down, whose value changed since the cached
//    entry was made (A and D are ignored: the walker itself sets them).
//  - FlushOnWrite (NON-ARCHITECTURAL, for comparison only): pages holding
//    paging entries that cached translations were made from are watched
//    (PF_WATCH); a write to such an entry drops every TLB and PSC entry
//    made from it, as if the caches were coherent with memory.
#include "mmu/arch.h"
#include "mmu/mmu_impl.h"
#include "mmu/perms.h"

namespace slot::mmu {

namespace {
constexpr uint64_t kIgnore = x86::PTE_A | x86::PTE_D;

bool same_rights(const Perms& a, const Perms& b) { return a.w == b.w && a.u == b.u && a.nx == b.nx; }

// First entry of `prov` whose value in memory differs now (A/D ignored).
void find_changed(const PhysMemory& mem, const Provenance& prov, StaleEvent& ev) {
  for (unsigned i = 0; i < prov.n; ++i) {
    const uint64_t now = mem.read(prov.pa[i], 8);
    if ((now ^ prov.val[i]) & ~kIgnore) {
      ev.changed_level = prov.top_level - i;
      ev.changed_pa = prov.pa[i];
      ev.old_value = prov.val[i];
      ev.new_value = now;
      return;
    }
  }
}
}  // namespace

void Mmu::Impl::check_stale(const char* source, uint64_t linear, Access acc, PhysAddr cached_pa,
                            PageSize cached_size, const Perms& cached, const Provenance& prov) {
  const WalkResult r = walk(mem, request(linear, acc, kSup, false, false), cr3_start());
  const PhysAddr now = r.page | (linear & (page_bytes(r.size) - 1));
  if (r.ok && now == cached_pa && same_rights(r.perms, cached)) return;
  StaleEvent ev;
  ev.linear = linear;
  ev.access = acc;
  ev.source = source;
  ev.cached_pa = cached_pa;
  ev.cached_size = cached_size;
  ev.cached_perms = cached;
  ev.current_ok = r.ok;
  ev.current_pa = r.ok ? now : 0;
  ev.current_size = r.size;
  ev.current_perms = r.perms;
  find_changed(mem, prov, ev);
  ++g.stale;
  ++space().c.stale;
  ++slot(linear).stale;
  if (obs) obs->on_stale(ev);
}

// A walk that started from a PSC entry: would a walk from CR3 agree?
void Mmu::Impl::check_stale_psc(uint64_t linear, Access acc, const WalkStart& st) {
  const WalkResult cached = walk(mem, request(linear, acc, kSup, false, false), st);
  const WalkResult fresh = walk(mem, request(linear, acc, kSup, false, false), cr3_start());
  const PhysAddr cpa = cached.page | (linear & (page_bytes(cached.size) - 1));
  const PhysAddr fpa = fresh.page | (linear & (page_bytes(fresh.size) - 1));
  if (cached.ok == fresh.ok && (!cached.ok || (cpa == fpa && same_rights(cached.perms, fresh.perms))))
    return;
  static const char* const names[] = {"", "", "PDE-cache", "PDPTE-cache", "PML4E-cache"};
  StaleEvent ev;
  ev.linear = linear;
  ev.access = acc;
  ev.source = names[st.psc_level];
  ev.cached_pa = cached.ok ? cpa : 0;
  ev.cached_size = cached.size;
  ev.cached_perms = cached.perms;
  ev.current_ok = fresh.ok;
  ev.current_pa = fresh.ok ? fpa : 0;
  ev.current_size = fresh.size;
  ev.current_perms = fresh.perms;
  find_changed(mem, *st.prov, ev);
  ++g.stale;
  ++space().c.stale;
  ++slot(linear).stale;
  if (obs) obs->on_stale(ev);
}

void Mmu::Impl::watch(const Provenance& prov) {
  for (unsigned i = 0; i < prov.n; ++i) mem.set_page_flag(prov.pa[i], PF_WATCH);
}

void Mmu::Impl::watch_all() {
  for (const TlbArray& a : arrays)
    for (unsigned i = 0; i < a.size(); ++i)
      if (a.live(a.flat(i))) watch(a.flat_prov(i));
  for (const Psc& p : pscs)
    for (unsigned i = 0; i < p.size(); ++i)
      if (p.flat(i).valid) watch(p.flat_prov(i));
}

void Mmu::Impl::phys_write(PhysAddr pa, unsigned size) {
  if (stale != StaleMode::FlushOnWrite || own_write) return;
  auto made_from = [&](const Provenance& prov) {
    for (unsigned i = 0; i < prov.n; ++i)
      if (prov.pa[i] < pa + size && pa < prov.pa[i] + 8) return true;
    return false;
  };
  drop_tlb_if([&](const TlbEntry&, const Provenance& p) { return made_from(p); },
              InvCause::FlushOnWrite);
  drop_psc_if([&](const PscEntry&, const Provenance& p) { return made_from(p); },
              InvCause::FlushOnWrite);
}

}  // namespace slot::mmu
