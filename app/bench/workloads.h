// The matrix of `slotlab bench emulator`: which image runs with which command
// line on which engines. Loop workloads are the perf kernels (tests/perf):
// each has a baseline, the same image with iters=0, so that start-up, boot
// and set-up cancel out of the loop's speed:
//   MIPS = loop_insns / (median wall(loop) - median wall(baseline)).
// Iteration counts differ per engine family (QEMU runs ~20x faster than
// slotlab on the ALU loop, slotlab ~100x slower with every trace record
// written) so that every timed loop lasts long enough to dwarf the noise of
// process start-up, and no run takes minutes; the MIPS figures stay
// comparable because each engine's instruction count is its own iters x k.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/bench/recording.h"

namespace slot::bench {

enum class Kind : uint8_t { Loop, Baseline, Guest };

struct Workload {
  std::string id;        // "alu", "alu@0", "modcall-pcid"
  std::string title;     // table row: "integer ALU loop"
  std::string image;     // ELF32 multiboot image (both machines load the same file)
  Kind kind = Kind::Loop;
  bool guest = false;    // the guest kernel (its bench workload, or its idle baseline)
  std::string baseline;  // Loop and Guest: id of its Baseline (the same image doing nothing)
  // Per engine family (iteration counts): QEMU, slotlab (and Bochs, about as
  // fast), slotlab tracing.
  std::string cmdline_qemu, cmdline_slotlab, cmdline_trace;
  std::vector<Engine> engines;
  std::string break_at;  // Engine::SlotlabBreak: the stop point (engine::add_breakpoint spec), never reached
  const std::string& cmdline(Engine e) const {
    return e == Engine::Qemu ? cmdline_qemu : e == Engine::SlotlabTrace ? cmdline_trace : cmdline_slotlab;
  }
};

struct PlanOptions {
  std::string build_dir;  // holds tests/perf/kernels/*.elf and guest/slotlab-guest.elf
  bool quick = false;
  bool trace = false;     // add Engine::SlotlabTrace (needs `slotlab run --trace`)
  bool bochs = false;     // add Engine::Bochs (needs bochs and grub-mkrescue)
  std::vector<std::string> only;  // workload ids to keep (with their baselines); empty = all
};

std::vector<Workload> emulator_workloads(const PlanOptions& o);
const Workload* find_workload(const std::vector<Workload>& ws, const std::string& id);

}  // namespace slot::bench
