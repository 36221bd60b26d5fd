// `slotlab debug`: the entry point the CLI calls (app/cli_debug.cpp). No ImGui
// or SDL types here, so emu/ stays free of them (docs/ARCHITECTURE.md).
#pragma once
#include <string>
#include <vector>

#include "emu/machine/machine.h"
#include "ui/panel_keys.h"

namespace slot::ui {

struct DebugOptions {
  std::string kernel;
  emu::MachineConfig machine;
  std::string screenshot;     // non-empty: headless, write this PNG and exit
  std::string until;          // run_until() spec before the first frame (session.h)
  std::string panel;          // headless: render only this panel (panel_names())
  std::string walk;           // page-walk panel address (hex or a register name)
  float font_scale = 0;       // 0 = from the display's DPI
  std::string size = "1600x1000";
  std::string config_dir;     // imgui.ini lives here; "" = $XDG_CONFIG_HOME/slotlab
  std::vector<std::string> breakpoints;  // stop points set after --until (engine/point_spec.h add_breakpoint())
  std::string open;           // panels open at start, e.g. "slots,calls,walk" ("" = as last time)
  std::string title;          // appended to the window title (`slotlab lab N` names the lab)
  std::string script;         // debugger commands to run (ui/model/script.h); headless unless `window`
  bool window = false;        // with `script`: run it in a window, then stay interactive
  bool present = false;       // presentation mode at start
};

// Runs the debugger; returns the process exit status (0, or 2 on bad input
// with a one-line message on standard error).
int debug_main(const DebugOptions& o);


}  // namespace slot::ui
