// `slotlab debug`: parses its options and hands them to ui::debug_main()
// (ui/debug_main.h has no ImGui or SDL types, so emu/ stays free of them).
#include "app/commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/cli.h"
#include "app/machine_options.h"
#include "ui/debug_main.h"

namespace slot::emu {

int open_debugger(const ui::DebugOptions& o, const std::string& without_ui) {
#ifdef SLOTLAB_HAVE_UI
  (void)without_ui;
  return ui::debug_main(o);
#else
  (void)o;
  std::fprintf(stderr, "slotlab: this build has no debugger UI (configure with -DSLOTLAB_BUILD_UI=ON)%s%s\n",
               without_ui.empty() ? "" : "; ", without_ui.c_str());
  return kExitBadInput;
#endif
}

void bind_debugger_options(CLI::App& cmd, ui::DebugOptions& o) {
  CLI::App* c = &cmd;
  c->add_option("--screenshot", o.screenshot, "headless: render one frame to this PNG and exit");
  c->add_option("--until", o.until,
                "run to this point first: call:N, return:N, slot:N, icount:N, sym:NAME, event:KIND, end");
  c->add_option("--panel", o.panel, std::string("draw only this panel: ") + ui::panel_names());
  c->add_option("--walk", o.walk, "show the page walk of this address (hex or a register name)");
  c->add_option("--font-scale", o.font_scale, "text size factor (default: from the display's DPI)")
      ->check(CLI::Range(0.5, 6.0));
  c->add_option("--size", o.size, "window size WxH")->default_val("1600x1000");
  c->add_option("--config-dir", o.config_dir, "where the layout (imgui.ini) is kept");
  c->add_option("--break", o.breakpoints, "stop point set after --until (repeatable): sym:NAME, addr:HEX, "
                                         "event:KIND[:FILTER]")
      ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--script", o.script, "run the debugger commands in FILE (step, next-call, finish, back-to-call, "
                                      "reverse-continue, continue, goto N, select task NAME, open PANELS, "
                                      "screenshot PATH ...; docs/debugger.md), printing a stop line per run; "
                                      "headless unless --window")
      ->check(CLI::ExistingFile);
  c->add_flag("--window", o.window, "with --script: run it in the window, then stay interactive");
  c->add_flag("--present", o.present, "start in presentation mode (the PML4 slots full-window, large type; key P)");
  c->add_option("--open", o.open, std::string("panels open at start, e.g. slots,calls,walk (of: ") +
                                      ui::panel_names() + ")");
}

CommandAction bind_debug(CLI::App& cmd) {
  auto o = std::make_shared<ui::DebugOptions>();
  bind_machine_options(cmd, o->kernel, o->machine);
  bind_debugger_options(cmd, *o);
  return [o] { return open_debugger(*o, ""); };
}

}  // namespace slot::emu
