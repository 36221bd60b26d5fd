// `slotlab bench design`: the cost of the module-area design against its
// baselines, from the guest's bench workload (guest/kernel/bench.cpp) run on
// slotlab's TLB model. Every figure is an exact count (instructions, TLB
// misses, walks, stale translations) or modelled cycles computed from counts,
// so the same image and options give the same numbers on any host.
//
// The plan: kernel variants (mode/flush) x sweeps; one sweep is one boot per
// variant with one guest command line (a cross product of sizes, depths,
// working sets and clients, at one page size and TLB preset).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "mmu/config.h"

namespace slot::bench {

// ---- sweeps -------------------------------------------------------------------
// A list of numbers: "0,64,4K,64K" (K/M = KiB/MiB) or a range "1-3" (every
// integer) or a doubling range "1..512" (1, 2, 4, ... 512). Throws
// std::invalid_argument with a message naming the bad part.
std::vector<uint64_t> parse_number_list(const std::string& text);

struct Variant {
  std::string mode, flush;  // guest mode= and flush=
  std::string id() const { return mode + "/" + flush; }
};
// modarea/cr3, modarea/invlpg, modarea/pcid, modarea/none, monolithic/cr3, ipc/cr3, ipc/pcid.
const std::vector<Variant>& design_variants();

struct Sweep {
  std::string name;     // "ws", "ws2m", "size", "clients", "preset-tiny", ...
  std::string title;    // for progress and the report
  std::string preset = "skylake";
  std::string pages = "4k";
  std::vector<uint64_t> sizes{64}, depths{1}, ws{16}, clients;  // clients empty = one task, no yield
  uint64_t calls = 16;  // calls of the measured run (the warm-up run makes 2)
  bool probe = false;   // the stale-translation leak probe at the end
  std::string options;  // more guest words, e.g. "fastpath=0"
  std::vector<std::string> modes;  // run only the variants of these modes (empty = every variant)
  bool runs(const Variant& v) const;
};
// The guest command line of one sweep on one variant.
std::string sweep_cmdline(const Sweep& s, const Variant& v);

// "name=LIST" (sizes, depths, ws, clients) or "calls=N": overrides that field
// in every sweep that varies it (or in all, for calls). Throws
// std::invalid_argument on an unknown name or a bad list.
void apply_override(std::vector<Sweep>& sweeps, const std::string& spec);

struct DesignPlan {
  std::vector<Variant> variants;
  std::vector<Sweep> sweeps;
};
DesignPlan design_plan(bool quick);

// ---- one boot -----------------------------------------------------------------
// Counters read from the MMU (and the CPU's ring-0 instruction count) at an
// annotation mark, cumulative since boot.
struct Counters {
  uint64_t insns = 0, kernel_insns = 0, l1_hits = 0, l1_misses = 0, l2_misses = 0, walks = 0, walk_refs = 0, psc_hits = 0;
  uint64_t cr3_loads = 0, invlpg = 0, stale = 0, faults = 0;  // invlpg counts INVPCID too
  uint64_t cr3_noflush = 0, invpcid = 0;
  mmu::KernelOps ops;  // what the CPU counted for the cost model
  Counters& operator-=(const Counters& o);
};
// What the cost model prices, from counters.
mmu::CostInputs cost_inputs(const Counters& c);
// Modelled cycles of `d` under cost model `c` (mmu/cost.cpp's formula).
double cycles(const Counters& d, const mmu::CostConfig& c);

// Per-call figures of one point: (measured run - warm-up run) / (calls
// difference x clients). Doubles, since they are averages.
struct PerCall {
  double insns = 0, kernel_insns = 0, l1_hits = 0, l1_misses = 0, l2_misses = 0, walks = 0, walk_refs = 0, psc_hits = 0;
  double cr3_loads = 0, invlpg = 0, stale = 0;
  mmu::CostInputs priced;  // the cost model's inputs per call
  Counters total;  // the difference itself (integers)
  double calls = 0;
};

struct Point {
  uint64_t size = 0, depth = 0, ws = 0, clients = 1;
  std::string pages;
  PerCall pc;
};

struct BootResult {
  std::string sweep, variant, preset, cmdline;
  mmu::CostConfig cost;
  std::vector<Point> points;
  bool probe_run = false;
  uint64_t probe_stale = 0;   // stale translations used during the leak probe
  std::string probe_result;   // "contained" / "leaked" (the guest's PROBE line)
  uint64_t icount = 0;
  double wall_s = 0;          // host time (progress only; never reported as a result)
  bool ok = false;
  std::string error;          // why not ok
};

// Boots `image` with the sweep's command line on slotlab (preset, stale
// detection on) and collects the points from the annotation marks.
BootResult run_design_boot(const std::string& image, const Sweep& s, const Variant& v);

// Parses the mark texts and counters of one boot (exposed for tests).
struct Mark {
  std::string text;
  Counters at;
};
bool points_from_marks(const std::vector<Mark>& marks, BootResult& out);

// ---- the whole suite -------------------------------------------------------------
struct DesignOptions {
  bool quick = false;
  unsigned jobs = 2;                 // boots in parallel
  std::string build_dir;             // holds guest/slotlab-guest.elf ("" = slotlab's directory)
  std::string write;                 // results.md to update ("" = print only)
  std::vector<std::string> only;     // variant ids to keep ("modarea/cr3", ...); empty = all
  std::vector<std::string> sweeps;   // sweep names to keep; empty = all
  std::vector<std::string> overrides;  // apply_override specs
  std::string command;               // as typed, for the report
};
int run_design_bench(const DesignOptions& o);

// Runs the plan (progress on stderr); results in plan order.
std::vector<BootResult> run_design_plan(const std::string& image, const DesignPlan& plan, unsigned jobs,
                                        bool progress);

}  // namespace slot::bench
