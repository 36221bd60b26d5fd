// `slotlab bench emulator`: the same images under slotlab and under QEMU
// (TCG), interleaved runs, medians, the targets of issues 2, 7 and 18, profiles
// where a target is missed, and the emulator-speed section of
// docs/results.md. See docs/performance.md.
#pragma once
#include <string>
#include <vector>

namespace slot::bench {

struct EmulatorBenchOptions {
  bool quick = false;          // sizes / 10, one guest variant, 3 runs
  unsigned runs = 0;           // 0 = 5 (3 with --quick)
  std::string build_dir;       // "" = the directory of the running slotlab
  std::string qemu = "qemu-system-x86_64";
  std::string write;           // results.md to update ("" = print only)
  std::string raw;             // save the recording here ("" = <build>/bench-emulator.tsv)
  std::string from;            // report a saved recording instead of measuring
  std::vector<std::string> only;  // workload ids (alu mem tlb modcall-cr3 ...)
  int trace = -1;              // -1 = when `slotlab run --help` offers --trace, 0 = no, 1 = yes
  bool profile = true;         // profile slotlab where a target is missed
  std::string command;         // the command line, for the report
};

// Returns the process status: 0 when every run passed its checks, 1 if some
// failed (the report lists them), 2 for bad options or missing files.
int run_emulator_bench(const EmulatorBenchOptions& o);

}  // namespace slot::bench
