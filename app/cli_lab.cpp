// `slotlab lab N`: one command per classroom lab (docs/teaching/). Prints the
// lab's goal and steps, then opens the GUI debugger set up for it (workload,
// TLB model, breakpoints, open panels); `--check` (alias `--headless`) makes
// the lab's observations without a display instead, and `--screenshot` draws
// the set-up debugger into a PNG (how docs/teaching/img/ is made).
#include "app/commands.h"
#include "app/machine_options.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

#include "app/cli.h"
#include "app/lab/labs.h"
#include "ui/debug_main.h"

namespace slot::emu {

namespace {

struct LabState {
  int number = 0;
  bool list = false, check = false, quiet = false;
  std::string kernel;
  MachineConfig machine;   // --cmdline is appended to the lab's; --tlb replaces the lab's model
  ui::DebugOptions view;   // the debugger's options: replace (or, --break, add to) the lab's set-up
};

void bind_lab_options(CLI::App& c, LabState& s) {
  c.add_option("number", s.number, "the lab: 1-7 (see --list)")->check(CLI::Range(1, 7));
  c.add_flag("--list", s.list, "list the labs");
  c.add_flag("--check,--headless", s.check, "no display: make the lab's observations, one line each; exit "
                                             "status 0 when all are there");
  c.add_flag("-q,--quiet", s.quiet, "do not print the goal and the steps");
  s.machine.tlb.clear();
  MachineOptionsHelp h;
  h.kernel_name = "--kernel";
  h.kernel = "guest image (default: guest/slotlab-guest.elf next to slotlab)";
  h.kernel_required = false;
  h.cmdline = "appended to the lab's guest command line (e.g. flush=invlpg)";
  h.tlb = "TLB model instead of the lab's";
  h.tlb_default = false;
  h.mem = false;
  bind_machine_options(c, s.kernel, s.machine, h);
  bind_debugger_options(c, s.view);
  c.footer("The debugger's options (--until, --open, --walk, ...) replace the lab's set-up; --break adds a stop "
            "point to the lab's.");
}

void print_lab(const lab::Lab& l, const std::string& setup) {
  std::printf("Lab %d: %s   (docs/teaching/lab%d-%s.md)\n\nGoal: %s\n\nSetup: %s\n\nSteps:\n", l.number, l.title,
              l.number, l.slug, l.goal, setup.c_str());
  std::string steps = l.steps;
  size_t at = 0;
  while (at < steps.size()) {
    size_t nl = steps.find('\n', at);
    if (nl == std::string::npos) nl = steps.size();
    std::printf("  %s\n", steps.substr(at, nl - at).c_str());
    at = nl + 1;
  }
  std::printf("\n");
  std::fflush(stdout);
}

int run_lab(const LabState& s) {
  if (s.list || s.number == 0) {
    for (const lab::Lab& l : lab::labs()) std::printf("  %d  %-34s docs/teaching/lab%d-%s.md\n", l.number, l.title,
                                                      l.number, l.slug);
    return s.list ? 0 : (std::fprintf(stderr, "slotlab: lab: which lab? (1-7)\n"), kExitBadInput);
  }
  const lab::Lab& l = *lab::find_lab(s.number);
  const std::string kernel = s.kernel.empty() ? lab::default_kernel() : s.kernel;
  const std::string& extra = s.machine.cmdline;
  const std::string cmdline = extra.empty() ? l.cmdline : std::string(l.cmdline) + " " + extra;
  const std::string tlb = s.machine.tlb.empty() ? l.tlb : s.machine.tlb;
  if (s.check) {
    if (!s.quiet) print_lab(l, "headless check");
    lab::CheckEnv env{kernel, extra, s.machine.tlb};
    const int failed = lab::check_lab(l, env);
    std::printf("lab %d: %s\n", l.number, failed ? "SOME OBSERVATIONS ARE MISSING" : "every observation made");
    return failed ? 1 : 0;
  }
  ui::DebugOptions o = s.view;
  o.kernel = kernel;
  o.machine.cmdline = cmdline;
  o.machine.tlb = tlb;
  if (o.until.empty()) o.until = l.until;
  o.breakpoints = l.breakpoints;
  o.breakpoints.insert(o.breakpoints.end(), s.view.breakpoints.begin(), s.view.breakpoints.end());
  if (o.open.empty()) o.open = l.open;
  if (o.walk.empty()) o.walk = l.walk;
  o.title = "lab " + std::to_string(l.number) + ": " + l.title;
  std::string setup = "slotlab debug " + kernel + " --cmdline \"" + cmdline + "\" --tlb " + tlb;
  if (!o.until.empty()) setup += " --until " + o.until;
  for (const std::string& b : o.breakpoints) setup += " --break " + b;
  setup += " --open " + o.open;
  if (!o.walk.empty()) setup += " --walk " + o.walk;
  if (!s.quiet && o.screenshot.empty() && o.script.empty()) print_lab(l, setup);
  return open_debugger(o, "`slotlab lab " + std::to_string(l.number) + " --check` runs the lab headless");
}

}  // namespace

CommandAction bind_lab(CLI::App& cmd) { return bind_state<LabState>(cmd, bind_lab_options, run_lab); }

}  // namespace slot::emu
