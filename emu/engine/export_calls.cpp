// The call tree as text: one line per cross-module call in the order the
// calls were entered, indented by call depth. Costs are the engine's per-call
// TlbDelta (types.h): inclusive counts the calling task while it ran,
// exclusive leaves out its nested calls, wall is everything in between.
#include <string>

#include "emu/engine/export.h"

namespace slot::engine {

void write_call_tree(const Engine& e, std::FILE* out) {
  const auto& calls = e.calls();
  std::fprintf(out, "Cross-module calls: %zu   (TLB model: %s)\n", calls.size(),
               e.tlb_model().c_str());
  std::fprintf(out, "%-66s %s   %s\n", "", "------------------- inclusive -------------------",
               "--- exclusive ---");
  std::fprintf(out, "%5s  %-12s %-36s %4s %7s %9s %7s %7s %6s %7s %10s %9s %10s %10s\n", "#", "task", "caller -> callee.op",
               "op", "status", "insns", "L1miss", "L2miss", "walks", "refs", "cycles", "insns", "cycles", "wall insns");
  TlbDelta total;
  for (const CallRecord& c : calls) {
    std::string what(2 * (c.depth > 0 ? c.depth - 1 : 0), ' ');
    what += e.module_name(c.caller) + " -> " + e.op_label(c.callee, c.op);
    char status[24];
    if (c.returned) std::snprintf(status, sizeof status, "%lld", (long long)c.status);
    else std::snprintf(status, sizeof status, "open");
    std::fprintf(out, "%5u  %-12s %-36s %4u %7s %9llu %7llu %7llu %6llu %7llu %10.0f %9llu %10.0f %10llu\n", call_number(c.index),
                 e.task_name(c.task, c.enter_event).c_str(), what.c_str(), c.op, status, (unsigned long long)c.inclusive.insns,
                 (unsigned long long)c.inclusive.l1_misses, (unsigned long long)c.inclusive.l2_misses,
                 (unsigned long long)c.inclusive.walks, (unsigned long long)c.inclusive.walk_refs, c.inclusive.cycles,
                 (unsigned long long)c.exclusive.insns, c.exclusive.cycles, (unsigned long long)c.wall.insns);
    if (c.parent == kNone) total += c.inclusive;
  }
  std::fprintf(out, "%5s  %-12s %-36s %4s %7s %9llu %7llu %7llu %6llu %7llu %10.0f   (outermost calls)\n", "", "total",
               "", "", "", (unsigned long long)total.insns, (unsigned long long)total.l1_misses,
               (unsigned long long)total.l2_misses, (unsigned long long)total.walks,
               (unsigned long long)total.walk_refs, total.cycles);
}

}  // namespace slot::engine
