#include "ui/debug_main.h"

#include <cstdio>
#include <exception>

#include "emu/engine/point_spec.h"
#include "ui/app/app.h"
#include "ui/app/headless.h"
#include "ui/model/memory_vm.h"

namespace slot::ui {


int debug_main(const DebugOptions& o) {
  int panel = -1;
  if (!o.panel.empty()) {
    PanelId p;
    if (!panel_from_key(o.panel, p)) {
      std::fprintf(stderr, "slotlab: unknown panel '%s' (one of: %s)\n", o.panel.c_str(), panel_names());
      return 2;
    }
    panel = int(p);
  }
  uint32_t open_mask = 0;
  if (std::string bad; !panels_from_list(o.open, open_mask, bad)) {
    std::fprintf(stderr, "slotlab: --open: unknown panel '%s' (of: %s)\n", bad.c_str(), panel_names());
    return 2;
  }
  int width = 0, height = 0;
  if (std::sscanf(o.size.c_str(), "%dx%d", &width, &height) != 2 || width < 200 || height < 150 ||
      width > 8192 || height > 8192) {
    std::fprintf(stderr, "slotlab: --size wants WxH, e.g. 1600x1000 (got '%s')\n", o.size.c_str());
    return 2;
  }
  std::vector<ScriptCommand> script;
  if (!o.script.empty()) {
    if (!o.screenshot.empty()) {
      std::fprintf(stderr, "slotlab: --script and --screenshot: use the script's screenshot command\n");
      return 2;
    }
    if (const std::string serr = load_script(o.script, script); !serr.empty()) {
      std::fprintf(stderr, "slotlab: %s\n", serr.c_str());
      return 2;
    }
  }
  engine::EngineConfig cfg;
  cfg.machine = o.machine;
  engine::Engine e(cfg);
  auto log = std::make_shared<SerialLog>();
  try {
    e.load_kernel(o.kernel);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "slotlab: %s\n", ex.what());
    return 2;
  }
  e.set_serial_sink(std::make_unique<SerialLogSink>(log));
  if (!o.until.empty()) {
    const std::string err = run_until(e, o.until);
    if (!err.empty()) {
      std::fprintf(stderr, "slotlab: --until %s: %s\n", o.until.c_str(), err.c_str());
      return 2;
    }
  }
  for (const std::string& b : o.breakpoints)
    if (const std::string berr = engine::add_breakpoint(e, b); !berr.empty()) {
      std::fprintf(stderr, "slotlab: --break %s: %s\n", b.c_str(), berr.c_str());
      return 2;
    }
  std::string err;
  if (!o.screenshot.empty()) {
    HeadlessOptions ho;
    ho.width = width;
    ho.height = height;
    ho.walk = o.walk;
    ho.font_scale = o.font_scale > 0 ? o.font_scale : 1.0f;
    ho.panel = panel;
    ho.open_mask = open_mask;
    Image img;
    if (!render_headless(e, log, ho, img, err) || !write_png(img, o.screenshot, err)) {
      std::fprintf(stderr, "slotlab: %s\n", err.c_str());
      return 2;
    }
    return 0;
  }
  const cpu::CpuState regs0 = e.make_view().regs;
  // A script without a window runs here, synchronously, on the offscreen driver.
  const bool threaded = script.empty() || o.window;
  if (threaded) e.start();
  int rc = 0;
  {
    Session s(e, log, threaded);
    AppOptions ao;
    ao.headless = !threaded;
    ao.width = width;
    ao.height = height;
    ao.font_scale = o.font_scale;
    ao.config_dir = o.config_dir;
    ao.only_panel = panel;
    ao.open_mask = open_mask;
    ao.title = o.title;
    App app(s, ao);
    if (!app.init(err)) {
      std::fprintf(stderr, "slotlab: %s\n", err.c_str());
      rc = 2;
    } else {
      uint64_t va = 0;
      if (!o.walk.empty() && parse_address(o.walk, regs0, va)) app.ui().show_walk(va);
      app.ui().present = o.present;
      rc = script.empty() ? app.run() : app.run_script(script, o.script, /*then_interactive=*/true);
    }
    if (threaded) e.pause();
  }
  if (threaded) e.stop_thread();
  return rc;
}

}  // namespace slot::ui
