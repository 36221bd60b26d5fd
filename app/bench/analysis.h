// From samples to figures: medians per (workload, engine), loop time net of
// start-up, MIPS, and the targets of issue 7 checked against them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/bench/recording.h"
#include "app/bench/workloads.h"

namespace slot::bench {

// The workload facts a recording carries in its meta ("workload:<id>" =
// "<loop|baseline|guest>;<baseline id>;<title>"), so that a saved run can be
// reported without the plan that made it.
void describe_workloads(Recording& r, const std::vector<Workload>& ws);
struct WorkloadInfo {
  std::string id, title, baseline;
  Kind kind = Kind::Loop;
};
std::vector<WorkloadInfo> workloads_of(const Recording& r);

struct Cell {
  std::string workload;
  Engine engine = Engine::Qemu;
  unsigned runs = 0, ok = 0;     // samples, and how many passed their checks
  double wall = 0, wall_min = 0, wall_max = 0;  // over passing samples (NaN if none)
  uint64_t icount = 0;           // slotlab: guest instructions of one run (all runs agree)
  uint64_t loop_insns = 0;       // loops: iters x k
  std::string checksum;          // loops; "mixed" if passing samples disagree
  double base = 0;               // loops: median wall of the iters=0 run on the same engine
  double net = 0;                // loops: wall - base
  double mips = 0;               // loops: loop_insns / net; guest: instructions / wall
  bool mips_borrowed = false;    // guest on QEMU/trace: slotlab's instruction count over this wall
};

// One cell per (workload, engine) that has samples, in recording order.
std::vector<Cell> analyse(const Recording& r);
const Cell* find_cell(const std::vector<Cell>& cells, const std::string& workload, Engine e);

struct TargetCheck {
  std::string target;    // "integer loop >= 150 MIPS (slotlab, skylake model)"
  std::string measured;  // "97 MIPS"
  bool evaluated = false;
  bool met = false;
  std::string verdict;   // "met" / "missed: 1.55x short" / "not measured"
  std::string profile_workload;  // where a profile explains a miss
};

// Speed floors for the slotlab row (skylake TLB model) of a loop workload.
struct MipsTarget {
  const char* workload;  // "alu"
  const char* what;      // "integer ALU loop"
  double mips;
  const char* source;    // the issue that set it
};
inline constexpr MipsTarget kMipsTargets[] = {
    {"alu", "integer ALU loop", 150, "issues 2 and 7"},
    {"alu", "integer ALU loop", 500, "issue 18"},
    {"mem", "load/store loop", 400, "issue 18"},
};
inline constexpr double kTargetTlbRatio = 1.3;  // default model vs --tlb none
std::vector<TargetCheck> check_targets(const std::vector<Cell>& cells);

}  // namespace slot::bench
