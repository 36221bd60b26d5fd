// The app shell: an SDL2 window (or SDL's offscreen driver for headless
// frames) with the SDL renderer, Dear ImGui, the toolbar, the nine panel
// windows, the breakpoint dialog, keys, fonts and the persisted layout.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ui/app/layout.h"
#include "ui/model/keys.h"
#include "ui/model/script.h"
#include "ui/model/session.h"
#include "ui/panels/panels.h"

struct SDL_Window;
struct SDL_Renderer;

namespace slot::ui {

struct AppOptions {
  bool headless = false;      // offscreen driver, software renderer, no ini file
  int width = 1600, height = 1000;
  float font_scale = 0;       // 0: from the display's DPI (1 offscreen)
  std::string config_dir;     // where imgui.ini goes ("" = $XDG_CONFIG_HOME/slotlab)
  int only_panel = -1;        // >= 0: draw just this PanelId, filling the window
  uint32_t open_mask = 0;     // bit i: PanelId i open at start, over imgui.ini (0 = as saved)
  std::string title;          // appended to the window title
};

class App {
 public:
  App(Session& s, const AppOptions& o);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Creates the window, renderer and ImGui context; false and `err` on failure.
  bool init(std::string& err);
  // The interactive loop; returns when the window is closed.
  int run();
  // Headless: draws `frames` frames (a fresh synchronous gather before each,
  // with what the panels asked for) and reads the last one back as RGBA.
  bool capture(std::vector<uint8_t>& rgba, int& w, int& h, int frames = 4);
  // A key press (the SDL key mapped to Key); public for tests.
  void key(Key k, bool shift, bool ctrl);
  // One interactive frame: events, poll, draw, present. False once closed.
  bool frame();

  // Scripted session (ui/model/script.h): runs `script`, printing a stop
  // line per command that moves the machine; then the interactive loop if
  // `then_interactive`. Returns the exit status (2 on a failing command).
  int run_script(const std::vector<ScriptCommand>& script, const std::string& file, bool then_interactive);
  // Writes the frame (or only `panel` >= 0) as PNG and says so on stdout.
  bool screenshot(const std::string& path, int panel, std::string& err);

  UiState& ui() { return ui_; }
  void reset_layout();   // View -> Reset layout: the starting panel set, tiled
  SDL_Window* window() const { return win_; }   // tests move the real pointer over it
  float font_scale() const { return scale_; }
  void restore_font_scale(float s);   // from imgui.ini, unless --font-scale was given

 private:
  void draw();
  void draw_menu();
  float draw_toolbar(float y);          // returns its height (it wraps to the window's width)
  void draw_presentation(PanelCtx& c);  // presentation mode, full window (ui/panels/present_panel.cpp)
  void draw_breakpoint_dialog();
  void draw_help();
  void render(bool present);
  void set_scale(float s);
  std::array<float, kPanels> min_heights() const;
  // "Save as PNG" (for slides): the panel under the mouse (Ctrl+S) or one
  // named in the View menu, cropped from the next rendered frame.
  void save_hovered_panel();
  void save_panel(const std::string& window_title);
  void write_saved_png();   // what each panel needs (the tiled layout)
  void draw_tab_groups(const std::array<PanelRect, kPanels>& tiles, float top, PanelCtx& ctx);
  void settle(int frames);   // fresh synchronous frames after a stop
  std::string script_ui_command(const ScriptCommand& c);

  Session& s_;
  AppOptions o_;
  UiState ui_;
  Requests req_;
  SDL_Window* win_ = nullptr;
  SDL_Renderer* ren_ = nullptr;
  bool present_on_ = false;   // the font is enlarged for presentation mode
  struct SaveRequest {
    std::string title;       // ImGui window to crop to ("" = none pending)
    std::string file;
  } save_;
  std::string saved_message_; // "wrote slotlab-slots-1519621.png" for the status line
  float toolbar_h_ = 0;       // the toolbar's height in the previous frame
  bool imgui_ = false, sdl_ = false, quit_ = false, help_ = false, reset_layout_ = false;
  float scale_ = 1.0f, base_scale_ = 1.0f;
  bool fonts_dirty_ = true;
  std::string ini_path_;
  std::string bp_error_;
  char bp_input_[128] = "";
  int bp_kind_ = 0, bp_event_ = 0, bp_filter_ = -1;
};

// Fonts (fonts.cpp): DejaVu Sans Mono when installed (with arrows, box
// drawing and block glyphs for the VGA screen), else ImGui's built-in font;
// `scale` multiplies the 15-pixel base size and the style's sizes.
void load_fonts(float scale);
float display_scale(SDL_Window* w);   // HiDPI: display DPI / 96, in steps of 0.25

}  // namespace slot::ui
