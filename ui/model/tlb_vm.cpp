#include "ui/model/tlb_vm.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace slot::ui {

std::string tlb_entry_text(const mmu::TlbEntryView& e, bool psc) {
  char buf[128];
  if (psc) {
    std::snprintf(buf, sizeof buf, "tag %llx -> table %llx  P%u", (unsigned long long)e.vpn,
                  (unsigned long long)e.pfn << 12, unsigned(e.pcid));
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%llx -> %llx  %s P%u%s %c%c%c", (unsigned long long)e.vpn,
                (unsigned long long)e.pfn, mmu::page_size_name(e.size), unsigned(e.pcid), e.global ? " G" : "",
                e.perms.w ? 'w' : 'r', e.perms.u ? 'u' : 's', e.perms.nx ? '-' : 'x');
  return buf;
}

namespace {
bool same(const mmu::TlbEntryView& a, const mmu::TlbEntryView& b) {
  return a.vpn == b.vpn && a.pfn == b.pfn && a.pcid == b.pcid && a.size == b.size && a.global == b.global;
}
}  // namespace

TlbView make_tlb(const Frame& f, const Frame* prev, const History& h) {
  TlbView v;
  std::map<std::string, size_t> index;
  for (const auto& a : f.tlb_arrays) {
    TlbGrid g;
    g.info = a;
    g.cells.resize(size_t(a.sets) * a.ways);
    index[a.name] = v.grids.size();
    v.grids.push_back(std::move(g));
  }
  // The previous frame's entries by (array, set, way).
  std::map<std::tuple<std::string, unsigned, unsigned>, const mmu::TlbDumpEntry*> before;
  if (prev)
    for (const auto& d : prev->tlb) before[{d.array, d.set, d.way}] = &d;

  for (const auto& d : f.tlb) {
    auto it = index.find(d.array);
    if (it == index.end()) continue;
    TlbGrid& g = v.grids[it->second];
    if (d.set >= g.info.sets || d.way >= g.info.ways) continue;
    TlbCell& c = g.cells[size_t(d.set) * g.info.ways + d.way];
    c.valid = true;
    c.e = d.entry;
    c.age = d.age;
    c.text = tlb_entry_text(d.entry, d.psc);
    ++g.valid;
    if (prev) {
      auto b = before.find({d.array, d.set, d.way});
      if (b == before.end()) {
        c.filled = true;
      } else if (!same(b->second->entry, d.entry)) {
        c.filled = true;
        c.replaced = "was " + tlb_entry_text(b->second->entry, b->second->psc);
      }
    }
  }
  // The entries the next fetch and a stack read would hit (Mmu::debug_walk).
  auto mark = [&](const mmu::DebugWalk& w, bool TlbCell::*flag) {
    if (!w.tlb_hit) return;
    auto it = index.find(w.tlb_array);
    if (it == index.end()) return;
    for (auto& c : v.grids[it->second].cells)
      if (c.valid && same(c.e, w.tlb_entry)) c.*flag = true;
  };
  mark(f.fetch_walk, &TlbCell::serves_fetch);
  mark(f.stack_walk, &TlbCell::serves_stack);
  if (f.view) {
    const mmu::MmuStats& s = f.view->stats;
    for (const auto& a : s.arrays) {
      auto it = index.find(a.name);
      if (it == index.end()) continue;
      TlbGrid& g = v.grids[it->second];
      g.hits = a.hits, g.misses = a.misses, g.fills = a.fills, g.evictions = a.evictions;
      g.has_stats = true;
    }
    for (const auto& p : s.pscs) {
      auto it = index.find(std::string(mmu::level_name(p.level)) + "-cache");
      if (it == index.end()) continue;
      TlbGrid& g = v.grids[it->second];
      g.hits = p.hits, g.misses = p.misses, g.fills = p.fills, g.evictions = p.evictions;
      g.has_stats = true;
    }
    v.l1_hits = s.l1_hits, v.l1_misses = s.l1_misses, v.l2_hits = s.l2_hits, v.l2_misses = s.l2_misses;
    v.walks = s.walks, v.stale = s.stale;
  }
  // Up to the moment shown: after going back, later points stay in the
  // history (for going forward again) but are not the machine's past.
  size_t n = f.points_n ? std::min(f.points_n, h.points.size()) : h.points.size();
  if (f.view)
    while (n > 0 && h.points[n - 1].event >= f.cursor) --n;
  for (size_t i = 0; i < n; ++i) {
    const engine::TlbDelta& d = h.points[i].delta;
    const double k = d.insns ? 1000.0 / double(d.insns) : 0.0;
    v.l1_mpki.push_back(float(double(d.l1_misses) * k));
    v.l2_mpki.push_back(float(double(d.l2_misses) * k));
  }
  return v;
}

}  // namespace slot::ui
