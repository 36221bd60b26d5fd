// Two sections of the design report: one null round trip per kernel on its
// fastpath and on its general path (guest/kernel/fastpath.cpp), and the
// module area against IPC like with like -- flushing against flushing,
// tagging against tagging -- with the difference split by where it comes from.
#include <cmath>

#include "app/bench/design_report.h"

namespace slot::bench {

namespace {

const Point* null_point(const DesignRun& r, const std::string& sweep, const std::string& v) {
  const BootResult* b = find_boot(r, sweep, v);
  return b ? find_point(*b, 0, 1, 1) : nullptr;
}

// The modelled cycles of one call, split: instructions, TLB work (lookups,
// walks), privileged work (CR3, INVLPG, entry and exit, MSRs, ports), copies.
struct Split {
  double total = 0, insns = 0, tlb = 0, privileged = 0, copy = 0;
};
Split split(const Point& p, const mmu::CostConfig& c) {
  const mmu::CostBreakdown b = mmu::price(c, p.pc.priced);
  return {b.total(), b.instructions, b.l1 + b.l2 + b.walks + b.mem_refs, b.cr3 + b.invlpg + b.kernel, b.copy};
}

}  // namespace

std::optional<LikeWithLike> compare(const DesignRun& r, const std::string& a, const std::string& b, uint64_t size,
                                    uint64_t depth, uint64_t ws) {
  const BootResult *ba = find_boot(r, "ws", a), *bb = find_boot(r, "ws", b);
  const Point* pa = ba ? find_point(*ba, size, depth, ws) : nullptr;
  const Point* pb = bb ? find_point(*bb, size, depth, ws) : nullptr;
  if (!pa || !pb) return std::nullopt;
  const Split sa = split(*pa, ba->cost), sb = split(*pb, bb->cost);
  LikeWithLike x;
  x.a = a, x.b = b, x.a_cycles = sa.total, x.b_cycles = sb.total;
  x.insns = sa.insns - sb.insns, x.tlb = sa.tlb - sb.tlb, x.privileged = sa.privileged - sb.privileged;
  x.copy = sa.copy - sb.copy;
  return x;
}

void null_round_trip_table(std::ostringstream& o, const DesignRun& r) {
  if (!find_boot(r, "null", "modarea/cr3") && !find_boot(r, "null", "ipc/cr3")) return;
  o << "### One null round trip: each kernel's fastpath and its general path\n\n"
    << "app → b1 and back with no buffer, depth 1, working set 1 (`sizes=0 depths=1 ws=1`). *Kernel* counts the "
       "instructions retired in ring 0 from the caller's SYSCALL to the kernel's exit back to it (the CPU's ring-0 "
       "count, like a PMU's INST_RETIRED with only the OS bit); *all* adds the callee's own instructions. The "
       "fastpath (`guest/kernel/fastpath.cpp`, docs/guest.md) takes calls that pass no buffer between modules "
       "without port grants; `fastpath=0` sends every call down the general path. The monolithic kernel makes a "
       "direct call: no kernel at all. Modelled cycles are split into instructions / TLB work / privileged work "
       "(CR3, INVLPG, SYSCALL, SYSRET, IRET) / copies.\n\n"
    << "| kernel | fastpath: kernel insns | all insns | modelled cycles (insns / TLB / privileged) | general path: "
       "kernel insns | all insns | modelled cycles | fastpath ÷ general |\n|---|---:|---:|---|---:|---:|---:|---:|\n";
  for (const Variant& v : design_variants()) {
    if (v.flush == "none") continue;
    const BootResult* bf = find_boot(r, "null", v.id());
    const BootResult* bg = find_boot(r, "null-general", v.id());
    const Point* f = null_point(r, "null", v.id());
    const Point* g = null_point(r, "null-general", v.id());
    if (!f) continue;
    const Split sf = split(*f, bf->cost);
    o << "| " << title(v.id()) << " | **" << num(f->pc.kernel_insns) << "** | " << num(f->pc.insns) << " | **"
      << num(sf.total) << "** (" << num(sf.insns) << " / " << num(sf.tlb) << " / " << num(sf.privileged) << ") | ";
    if (g && v.mode != "monolithic") {
      const Split sg = split(*g, bg->cost);
      o << num(g->pc.kernel_insns) << " | " << num(g->pc.insns) << " | " << num(sg.total) << " | "
        << ratio(sf.total, sg.total) << " |\n";
    } else {
      o << "- | - | - | - |\n";
    }
  }
  o << "| seL4 fastpath IPC, Call + Reply, i7-6700 (Skylake) | | | ≈772 measured | | | | |\n\n"
    << "The seL4 row is published and measured on real hardware (383 + 389 cycles; seL4/sel4bench issue #41); "
       "the others are this model's cycles for this kernel. Budget: the test "
       "`tests/bench/fastpath_test.cpp` holds every fastpath under 300 kernel instructions and within 20 % of "
       "its recorded figure.\n\n";
}

void like_with_like(std::ostringstream& o, const DesignRun& r) {
  const std::vector<uint64_t> wss = {1, 16, 512};
  o << "### Module area against IPC, like with like\n\nThe same invalidation on both sides: a CR3 switch against a "
       "CR3 switch, PCIDs against PCIDs (64-byte buffer, depth 1, general path for both — the buffer takes it "
       "there). The difference (module area − IPC, modelled cycles per call) is split by where it comes from.\n\n"
    << "| pair | working set | module area | IPC | ratio | Δ instructions | Δ TLB work | Δ privileged | Δ copies "
       "|\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [a, b] : {std::pair<std::string, std::string>{"modarea/cr3", "ipc/cr3"}, {"modarea/pcid", "ipc/pcid"}})
    for (uint64_t w : wss)
      if (const auto x = compare(r, a, b, 64, 1, w))
        o << "| " << a << " vs " << b << " | " << w << " | " << num(x->a_cycles) << " | " << num(x->b_cycles) << " | "
          << ratio(x->a_cycles, x->b_cycles) << " | " << num(x->insns) << " | " << num(x->tlb) << " | "
          << num(x->privileged) << " | " << num(x->copy) << " |\n";
  o << "\n";
}

}  // namespace slot::bench
