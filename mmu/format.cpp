#include "mmu/format.h"

#include <cinttypes>
#include <cstdio>

#include "mmu/walker.h"

namespace slot::mmu {

std::string format_step(const WalkStep& s) {
  char flags[64], line[200];
  describe_flags(s.raw, s.level, flags, sizeof flags);
  std::snprintf(line, sizeof line, "%-5s @0x%010" PRIx64 " = 0x%016" PRIx64 "  %s%s%s%s%s%s%s",
                level_name(s.level), s.entry_pa, s.raw, flags, s.from_psc ? "  [from PSC]" : "",
                s.set_a ? "  [+A]" : "", s.set_d ? "  [+D]" : "",
                s.failed != Check::None ? "  [fail: " : "",
                s.failed != Check::None ? check_name(s.failed) : "",
                s.failed != Check::None ? "]" : "");
  return line;
}

std::string format_walk(const DebugWalk& w) {
  char line[200];
  std::snprintf(line, sizeof line, "walk 0x%016" PRIx64 "\n", w.linear);
  std::string out = line;
  if (!w.paging) {
    std::snprintf(line, sizeof line, "  paging off: identity -> 0x%" PRIx64 "\n", w.pa);
    return out + line;
  }
  for (const WalkStep& s : w.steps) {
    const unsigned idx = unsigned((s.entry_pa & 0xFFF) >> 3);
    std::snprintf(line, sizeof line, "  [%3u] ", idx);
    out += line + format_step(s) + "\n";
  }
  if (w.ok)
    std::snprintf(line, sizeof line, "  -> 0x%" PRIx64 " (%s page, %s %s %s)\n", w.pa, page_size_name(w.size),
                  w.perms.w ? "RW" : "RO", w.perms.u ? "user" : "supervisor", w.perms.nx ? "NX" : "X");
  else
    std::snprintf(line, sizeof line, "  -> #PF error code 0x%x (%s)\n", w.error_code, check_name(w.failed));
  out += line;
  if (w.tlb_hit) {
    std::snprintf(line, sizeof line, "  TLB: %s holds it (pfn 0x%" PRIx64 ", %s, pcid %u%s)%s\n",
                  w.tlb_array.c_str(), w.tlb_entry.pfn, page_size_name(w.tlb_entry.size), w.tlb_entry.pcid,
                  w.tlb_entry.global ? ", global" : "", w.tlb_stale ? " STALE" : "");
    out += line;
  } else {
    out += "  TLB: miss\n";
  }
  if (w.psc_level) {
    std::snprintf(line, sizeof line, "  PSC: the %s cache would supply the walk down to level %u\n",
                  level_name(w.psc_level), w.psc_level - 1);
    out += line;
  }
  return out;
}

}  // namespace slot::mmu
