#include "ui/model/walk_vm.h"

#include <algorithm>

#include "mmu/arch.h"
#include "ui/model/names.h"
#include "ui/model/slots_vm.h"

namespace slot::ui {

namespace {
std::string perms_text(const mmu::Perms& p) {
  return std::string("R") + (p.w ? " W" : "") + (p.u ? " U" : " S") + (p.nx ? " NX" : " X") +
         (p.dirty ? " D" : "");
}
}  // namespace

WalkView make_walk(const mmu::DebugWalk& w) {
  WalkView v;
  v.linear = w.linear;
  v.ok = w.ok;
  if (!w.paging) {
    v.result = "paging is off (CR0.PG=0): linear = physical";
    return v;
  }
  const mmu::WalkStep* failed = nullptr;
  for (const auto& s : w.steps) {
    WalkRow r;
    r.level = mmu::level_name(s.level);
    r.index = walk_index(w.linear, s.level);
    r.entry_pa = s.entry_pa;
    r.raw = s.raw;
    r.bits = pte_bits(s.raw, s.level == 3 || s.level == 2);
    r.from_psc = s.from_psc;
    r.leaf = s.leaf;
    r.failed = s.failed != mmu::Check::None;
    if (s.from_psc) r.note = "from the " + std::string(mmu::level_name(s.level)) + " cache";
    if (s.leaf && s.level > 1) join_to(r.note, ", ", s.level == 3 ? "maps a 1G page" : "maps a 2M page");
    if (r.failed) {
      join_to(r.note, ", ", std::string("fault: ") + mmu::check_name(s.failed));
      failed = &s;
    }
    v.rows.push_back(std::move(r));
  }
  if (w.ok) {
    v.result = "-> " + hex(w.pa) + "  (" + mmu::page_size_name(w.size) + " page, " + perms_text(w.perms) + ")";
  } else {
    const std::string where = failed ? mmu::level_name(failed->level) : (w.steps.empty() ? "CR3" : mmu::level_name(w.steps.back().level));
    v.result = std::string("walk ends at ") + where + ": " + mmu::check_name(w.failed) + ", #PF error code " +
               hex(w.error_code);
  }
  if (w.tlb_hit) {
    v.cache = "TLB: " + w.tlb_array + " would serve it (" + hex(w.tlb_entry.linear()) + " -> " +
              hex(w.tlb_entry.phys()) + ", " + mmu::page_size_name(w.tlb_entry.size) + ", PCID " +
              std::to_string(w.tlb_entry.pcid) + (w.tlb_entry.global ? ", G" : "") + ")";
    if (w.tlb_stale) v.cache += "  STALE: the cached entry differs from the tables in memory";
  } else {
    v.cache = "TLB: miss";
  }
  if (w.psc_level) v.cache += std::string("; ") + mmu::level_name(w.psc_level) + " cache supplies the walk's start";
  else v.cache += "; no paging-structure cache entry";
  v.stale = w.tlb_stale;
  return v;
}

WalkTree make_walk_tree(const WalkView& v, uint64_t cr3, const std::string& label) {
  WalkTree t;
  t.linear = v.linear;
  t.cr3 = cr3;
  t.label = label;
  t.ok = v.ok;
  for (const WalkRow& r : v.rows) {
    TreeLevel l;
    l.level = r.level;
    l.table = r.entry_pa & ~uint64_t(0xFFF);
    l.index = r.index;
    l.raw = r.raw;
    l.bits = r.bits;
    l.psc = r.from_psc;
    l.served = r.from_psc ? r.level + " cache" : "memory";
    l.leaf = r.leaf;
    l.failed = r.failed;
    t.levels.push_back(std::move(l));
  }
  if (v.ok && !t.levels.empty()) {
    const TreeLevel& leaf = t.levels.back();
    const unsigned shift = leaf.level == "PDPTE" ? 30 : leaf.level == "PDE" ? 21 : 12;
    const uint64_t mask = (uint64_t(1) << shift) - 1;
    t.end = "frame " + hex((leaf.raw & x86::PTE_ADDR) & ~mask) + " + " + hex(v.linear & mask);
  } else {
    t.end = v.result;
  }
  return t;
}

void compare_trees(WalkTree& a, WalkTree& b) {
  const size_t n = std::max(a.levels.size(), b.levels.size());
  for (size_t i = 0; i < n; ++i) {
    const bool both = i < a.levels.size() && i < b.levels.size();
    const bool same = both && a.levels[i].table == b.levels[i].table && a.levels[i].index == b.levels[i].index &&
                      ((a.levels[i].raw ^ b.levels[i].raw) & ~(x86::PTE_A | x86::PTE_D)) == 0;
    if (i < a.levels.size()) a.levels[i].differs = !same;
    if (i < b.levels.size()) b.levels[i].differs = !same;
  }
  a.end_differs = b.end_differs = a.end != b.end;
}

}  // namespace slot::ui
