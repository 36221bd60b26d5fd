// `slotlab lab N`: one command per classroom lab (docs/teaching/). Prints the
// lab's goal and steps, then opens the GUI debugger set up for it (workload,
// TLB model, breakpoints, open panels); `--check` (alias `--headless`) makes
// the lab's observations without a display instead, and `--screenshot` draws
// the set-up debugger into a PNG (how docs/teaching/img/ is made).
#include "app/cli_command.h"
#include "app/machine_options.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

#include "app/cli.h"
#include "app/lab/labs.h"
#include "ui/debug_main.h"

namespace slot::emu {

template <>
struct LabCommand::State {
  CLI::App* cmd = nullptr;
  int number = 0;
  bool list = false, check = false, quiet = false, window = false, present = false;
  std::string kernel, cmdline, tlb, until, panel, walk, screenshot, size = "1600x1000", open, config_dir, script;
  std::vector<std::string> breaks;
  float font_scale = 0;
};

template <>
LabCommand::Subcommand(CLI::App& app) : st_(std::make_unique<State>()) {
  State& s = *st_;
  CLI::App* c = app.add_subcommand("lab", "the classroom labs (docs/teaching/): set up the debugger for lab N, or "
                                          "check its observations headless with --check");
  s.cmd = c;
  c->add_option("number", s.number, "the lab: 1-7 (see --list)")->check(CLI::Range(1, 7));
  c->add_flag("--list", s.list, "list the labs");
  c->add_flag("--check,--headless", s.check, "no display: make the lab's observations, one line each; exit "
                                             "status 0 when all are there");
  c->add_flag("-q,--quiet", s.quiet, "do not print the goal and the steps");
  c->add_option("--kernel", s.kernel, "guest image (default: guest/slotlab-guest.elf next to slotlab)");
  c->add_option("--cmdline", s.cmdline, "appended to the lab's guest command line (e.g. flush=invlpg)");
  bind_tlb_option(*c, s.tlb, "TLB model instead of the lab's");
  c->add_option("--until", s.until, "instead of the lab's start: call:N, return:N, slot:N, event:KIND[:N], end");
  c->add_option("--break", s.breaks, "one more stop point: sym:NAME, addr:HEX, event:KIND[:FILTER]")
      ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--open", s.open, "panels open instead of the lab's");
  c->add_option("--screenshot", s.screenshot, "headless: draw the set-up debugger into this PNG and exit");
  c->add_option("--panel", s.panel, "with --screenshot: only this panel");
  c->add_option("--script", s.script, "run debugger commands from FILE on the lab's set-up (as slotlab debug "
                                      "--script; docs/teaching/scripts/), headless unless --window")
      ->check(CLI::ExistingFile);
  c->add_flag("--window", s.window, "with --script: in the window, then stay interactive");
  c->add_flag("--present", s.present, "start in presentation mode (key P)");
  c->add_option("--walk", s.walk, "page-walk address instead of the lab's");
  c->add_option("--size", s.size, "window size WxH")->default_val("1600x1000");
  c->add_option("--font-scale", s.font_scale, "text size factor")->check(CLI::Range(0.5, 6.0));
  c->add_option("--config-dir", s.config_dir, "where the layout (imgui.ini) is kept");
}

template <>
LabCommand::~Subcommand() = default;

template <>
bool LabCommand::chosen() const { return st_->cmd && *st_->cmd; }

namespace {

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

}  // namespace

template <>
int LabCommand::run() const {
  const State& s = *st_;
  if (s.list || s.number == 0) {
    for (const lab::Lab& l : lab::labs()) std::printf("  %d  %-34s docs/teaching/lab%d-%s.md\n", l.number, l.title,
                                                      l.number, l.slug);
    return s.list ? 0 : (std::fprintf(stderr, "slotlab: lab: which lab? (1-7)\n"), kExitBadInput);
  }
  const lab::Lab& l = *lab::find_lab(s.number);
  const std::string kernel = s.kernel.empty() ? lab::default_kernel() : s.kernel;
  const std::string cmdline = s.cmdline.empty() ? l.cmdline : std::string(l.cmdline) + " " + s.cmdline;
  const std::string tlb = s.tlb.empty() ? l.tlb : s.tlb;
  if (s.check) {
    if (!s.quiet) print_lab(l, "headless check");
    lab::CheckEnv env{kernel, s.cmdline, s.tlb};
    const int failed = lab::check_lab(l, env);
    std::printf("lab %d: %s\n", l.number, failed ? "SOME OBSERVATIONS ARE MISSING" : "every observation made");
    return failed ? 1 : 0;
  }
  ui::DebugOptions o;
  o.kernel = kernel;
  o.machine.cmdline = cmdline;
  o.machine.tlb = tlb;
  o.until = s.until.empty() ? l.until : s.until;
  o.breakpoints = l.breakpoints;
  o.breakpoints.insert(o.breakpoints.end(), s.breaks.begin(), s.breaks.end());
  o.open = s.open.empty() ? l.open : s.open;
  o.walk = s.walk.empty() ? l.walk : s.walk;
  o.screenshot = s.screenshot;
  o.script = s.script;
  o.window = s.window;
  o.present = s.present;
  o.panel = s.panel;
  o.size = s.size;
  o.font_scale = s.font_scale;
  o.config_dir = s.config_dir;
  o.title = "lab " + std::to_string(l.number) + ": " + l.title;
  std::string setup = "slotlab debug " + kernel + " --cmdline \"" + cmdline + "\" --tlb " + tlb;
  if (!o.until.empty()) setup += " --until " + o.until;
  for (const std::string& b : o.breakpoints) setup += " --break " + b;
  setup += " --open " + o.open;
  if (!o.walk.empty()) setup += " --walk " + o.walk;
  if (!s.quiet && s.screenshot.empty() && s.script.empty()) print_lab(l, setup);
#ifdef SLOTLAB_HAVE_UI
  return ui::debug_main(o);
#else
  std::fprintf(stderr, "slotlab: this build has no debugger UI; `slotlab lab %d --check` runs the lab headless\n",
               l.number);
  return kExitBadInput;
#endif
}

}  // namespace slot::emu
