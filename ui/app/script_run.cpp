// Scripted sessions, the window's half (ui/model/script.h has the rest): each
// command that moves the machine runs on the engine (its own thread in a
// window, so the window keeps drawing and shows the run's progress), then the
// panels are drawn for the stop, and the stop line is printed.
#include <SDL.h>
#include <imgui.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "ui/app/app.h"
#include "ui/app/headless.h"
#include "ui/debug_main.h"
#include "ui/model/memory_vm.h"
#include "ui/model/walk_vm.h"

namespace slot::ui {

using namespace std::chrono_literals;

namespace {
bool find_task(const engine::View& v, const std::string& want, uint32_t& id) {
  for (const auto& t : v.tasks)
    if (t.name == want || std::to_string(t.id) == want) return id = t.id, true;
  return false;
}
}  // namespace

void App::settle(int frames) {
  for (int i = 0; i < frames; ++i) {
    Requests r = req_;
    base_requests(ui_, s_.frame(), r);
    s_.sync(r);
    render(!o_.headless);
  }
}

bool App::screenshot(const std::string& path, int panel, std::string& err) {
  const int keep = o_.only_panel;
  if (panel >= 0) o_.only_panel = panel;
  Image img;
  const bool ok = capture(img.rgba, img.w, img.h);
  o_.only_panel = keep;
  if (!ok) return err = std::string("cannot read the frame back: ") + SDL_GetError(), false;
  if (!write_png(img, path, err)) return false;
  std::printf("wrote %s (%dx%d)\n", path.c_str(), img.w, img.h);
  return true;
}

std::string App::script_ui_command(const ScriptCommand& c) {
  const engine::View* v = s_.frame().view.get();
  switch (c.verb) {
    case ScriptVerb::Select: {
      uint32_t id = engine::kNone;
      if (!v || !find_task(*v, c.arg, id)) return "no task '" + c.arg + "' at this moment";
      ui_.selected_task = id;
      return "";
    }
    case ScriptVerb::Open: {
      uint32_t mask = 0;
      std::string bad;
      if (!panels_from_list(c.arg, mask, bad)) return "unknown panel '" + bad + "' (of: " + panel_names() + ")";
      for (unsigned i = 0; i < kPanels; ++i) ui_.open[i] = (mask >> i) & 1;
      o_.open_mask = mask;
      o_.only_panel = -1;
      return "";
    }
    case ScriptVerb::Walk: {
      uint64_t va = 0;
      if (v && c.arg == "stop" && v->last_stop.addr) va = v->last_stop.addr;   // the stop's address (stale use, CR2)
      else if (!v || !parse_address(c.arg, v->regs, va)) return "walk: not an address: " + c.arg;
      ui_.show_walk(va);
      return "";
    }
    case ScriptVerb::Pin: {
      settle(2);   // the walk of the address just chosen
      const Frame& f = s_.frame();
      if (!f.view || !f.has_walk || !ui_.walk.active) return "pin: no page walk shown (walk ADDR first)";
      ui_.walk.pinned = true;
      ui_.walk.pin = make_walk_tree(make_walk(f.walk), f.view->regs.cr3,
                                    "pinned: icount " + std::to_string(f.view->icount));
      return "";
    }
    case ScriptVerb::Font: {
      float f = 0;
      if (std::sscanf(c.arg.c_str(), "%f", &f) != 1 || f < 0.5f || f > 6.0f) return "font wants 0.5 to 6";
      base_scale_ = f;
      set_scale(f);
      return "";
    }
    case ScriptVerb::Size: {
      int w = 0, h = 0;
      if (std::sscanf(c.arg.c_str(), "%dx%d", &w, &h) != 2 || w < 200 || h < 150 || w > 8192 || h > 8192)
        return "size wants WxH, e.g. 1280x720";
      SDL_SetWindowSize(win_, w, h);
      o_.width = w, o_.height = h;
      return "";
    }
    case ScriptVerb::Present: ui_.present = c.arg == "on"; return "";
    case ScriptVerb::Screenshot: {
      const size_t sp = c.arg.find(' ');
      const std::string path = c.arg.substr(0, sp);
      int panel = -1;
      if (sp != std::string::npos) {
        PanelId p;
        const std::string name = c.arg.substr(c.arg.find_first_not_of(' ', sp));
        if (!panel_from_key(name, p)) return "unknown panel '" + name + "' (of: " + panel_names() + ")";
        panel = int(p);
      }
      std::string err;
      settle(2);
      return screenshot(path, panel, err) ? "" : err;
    }
    case ScriptVerb::Sleep: {
      const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(c.count);
      while (!o_.headless && std::chrono::steady_clock::now() < end && frame()) std::this_thread::sleep_for(10ms);
      return "";
    }
    default: return "";
  }
}

int App::run_script(const std::vector<ScriptCommand>& script, const std::string& file, bool then_interactive) {
  settle(1);
  for (const ScriptCommand& c : script) {
    if (c.verb == ScriptVerb::Quit) return 0;
    std::string err, line;
    if (moves_machine(c.verb) || c.verb == ScriptVerb::Break || c.verb == ScriptVerb::Clear) {
      auto done = s_.exec([&](engine::Engine& e) { line = run_engine_command(e, c, err); });
      // A window keeps drawing while the engine runs: the status line and
      // the panels show the run's progress, and closing the window stops it.
      while (done.wait_for(0s) != std::future_status::ready) {
        if (!frame()) {
          s_.pause();
          done.wait();
          return 0;
        }
      }
      done.get();
      settle(2);
    } else {
      err = script_ui_command(c);
    }
    if (!err.empty()) {
      std::fprintf(stderr, "slotlab: %s:%d: %s\n", file.c_str(), c.line, err.c_str());
      return 2;
    }
    if (!line.empty()) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    }
  }
  return then_interactive && !o_.headless ? run() : 0;
}

}  // namespace slot::ui
