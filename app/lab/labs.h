// `slotlab lab N`: the classroom labs of docs/teaching/. One table row per lab
// says how the debugger is set up for it (workload, options, breakpoints, open
// panels) and what the student reads first; check_*.cpp run each lab's
// observations headless (`--check`), which is also what tests/teaching runs.
#pragma once
#include <string>
#include <vector>

namespace slot::lab {

struct Lab {
  int number = 0;
  const char* slug = "";      // docs/teaching/lab<N>-<slug>.md
  const char* title = "";
  const char* goal = "";
  const char* steps = "";     // numbered, one per line
  // The debugger's setup.
  const char* cmdline = "";   // multiboot command line
  const char* tlb = "skylake";
  const char* until = "";     // run here before the window opens ("" = at the kernel's entry)
  std::vector<std::string> breakpoints;   // engine::add_breakpoint() specs (emu/engine/point_spec.h)
  const char* open = "";      // panels open
  const char* walk = "";      // page-walk panel address
};

const std::vector<Lab>& labs();
const Lab* find_lab(int number);

// The default guest image: guest/slotlab-guest.elf next to the slotlab
// binary (build/slotlab, build/guest/). `slotlab lab` and `slotlab demo` use it.
std::string default_kernel();

// The checks: every observation the lab's text promises, made on the real
// guest. Each prints one line per observation and returns the number that
// failed. `extra` is appended to the lab's command line (a negative control:
// `slotlab lab 2 --check --cmdline flush=cr3` must fail); `tlb` overrides
// the lab's TLB model when not empty.
struct CheckEnv {
  std::string kernel;
  std::string extra;
  std::string tlb;
};
int check_lab(const Lab& lab, const CheckEnv& env);

}  // namespace slot::lab
