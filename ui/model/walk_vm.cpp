#include "ui/model/walk_vm.h"

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

}  // namespace slot::ui
