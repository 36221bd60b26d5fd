#include "app/bench/workloads.h"

#include <algorithm>

namespace slot::bench {

namespace {

struct LoopSpec {
  const char* id;
  const char* title;
  const char* extra;           // more command-line words
  uint64_t qemu_iters, slot_iters, trace_iters;  // full run; --quick divides by 10; 0 = no trace run
};

// Full-run sizes: about 1-2 s of loop per run on this 2-core host for each
// engine family (QEMU ~3,000 MIPS on alu, ~1,000 on mem, ~25 on tlb;
// slotlab ~100 / ~80 / ~10; slotlab --trace all ~0.5). The TLB loop is not
// traced: its set-up alone (4096 mappings, 16 MiB filled) takes ~6 s traced.
constexpr LoopSpec kLoops[] = {
    {"alu", "integer ALU loop (10 insns/iter, registers only)", "", 300'000'000, 20'000'000, 100'000},
    {"mem", "load/store loop, 16 pages (9 insns/iter, 3 accesses)", " pages=16", 200'000'000, 20'000'000, 100'000},
    {"tlb", "TLB-thrashing loop, 4096 pages (7 insns/iter, 2 accesses)", " pages=4096", 6'000'000, 6'000'000, 0},
};
constexpr const char* kFlushes[] = {"cr3", "invlpg", "pcid"};

std::string iters(uint64_t n, bool quick) { return "iters=" + std::to_string(quick ? n / 10 : n); }

}  // namespace

std::vector<Workload> emulator_workloads(const PlanOptions& o) {
  const std::string kdir = o.build_dir + "/tests/perf/kernels/";

  std::vector<Workload> out;
  for (const LoopSpec& l : kLoops) {
    Workload w;
    w.id = l.id;
    w.title = l.title;
    w.image = kdir + "perf_" + l.id + ".elf";
    w.kind = Kind::Loop;
    w.baseline = std::string(l.id) + "@0";
    w.cmdline_qemu = iters(l.qemu_iters, o.quick) + l.extra;
    w.cmdline_slotlab = iters(l.slot_iters, o.quick) + l.extra;
    w.cmdline_trace = iters(l.trace_iters, o.quick) + l.extra;
    w.engines = {Engine::Qemu, Engine::Slotlab, Engine::SlotlabNoTlb, Engine::SlotlabBreak};
    w.break_at = "sym:rt_fail";  // the test runtime's failure report
    if (o.trace && l.trace_iters) w.engines.push_back(Engine::SlotlabTrace);
    if (o.bochs) w.engines.push_back(Engine::Bochs);
    Workload b = w;
    b.id = w.baseline;
    b.title = std::string("start-up and set-up of ") + l.id + " (iters=0)";
    b.kind = Kind::Baseline;
    b.baseline.clear();
    b.cmdline_qemu = b.cmdline_slotlab = b.cmdline_trace = std::string("iters=0") + l.extra;
    out.push_back(std::move(b));
    out.push_back(std::move(w));
  }
  // The guest's module-call benchmark: a fixed sweep (48 configurations, 66
  // calls each); it takes no size option, so --quick runs one variant only.
  for (const char* f : kFlushes) {
    if (o.quick && std::string(f) != "pcid") continue;
    Workload w;
    w.id = std::string("modcall-") + f;
    w.title = std::string("guest module-call benchmark, flush=") + f;
    w.image = o.build_dir + "/guest/slotlab-guest.elf";
    w.kind = Kind::Guest;
    w.cmdline_qemu = w.cmdline_slotlab = w.cmdline_trace = std::string("workload=bench mode=modarea flush=") + f;
    w.engines = {Engine::Qemu, Engine::Slotlab, Engine::SlotlabNoTlb, Engine::SlotlabBreak};
    w.break_at = "sym:panic";
    if (o.bochs) w.engines.push_back(Engine::Bochs);
    w.guest = true;
    w.baseline = w.id + "@0";
    // The same boot with calls=0: firmware (QEMU), loader, kernel and module
    // set-up, and nothing measured; subtracted like a loop's iters=0 run.
    Workload b = w;
    b.id = w.baseline;
    b.title = "start-up of " + w.id + " (calls=0)";
    b.kind = Kind::Baseline;
    b.baseline.clear();
    b.cmdline_qemu = b.cmdline_slotlab = b.cmdline_trace = w.cmdline_qemu + " calls=0";
    out.push_back(std::move(b));
    out.push_back(std::move(w));
  }
  if (!o.only.empty()) {
    std::vector<Workload> kept;
    for (const Workload& w : out) {
      const auto wanted = [&](const std::string& id) {
        return std::find(o.only.begin(), o.only.end(), id) != o.only.end();
      };
      bool keep = wanted(w.id);
      if (w.kind == Kind::Baseline)
        for (const Workload& x : out) keep |= x.baseline == w.id && wanted(x.id);
      if (keep) kept.push_back(w);
    }
    out = std::move(kept);
  }
  return out;
}

const Workload* find_workload(const std::vector<Workload>& ws, const std::string& id) {
  for (const Workload& w : ws)
    if (w.id == id) return &w;
  return nullptr;
}

}  // namespace slot::bench
