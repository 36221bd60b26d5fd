#include "ui/app/app.h"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <imgui_internal.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace slot::ui {

namespace {

// The layout (window positions and sizes) is ImGui's own imgui.ini; these
// lines add which panels are open and the text size, in the same file.
App* g_app = nullptr;
void* settings_open(ImGuiContext*, ImGuiSettingsHandler*, const char*) { return g_app; }
void settings_line(ImGuiContext*, ImGuiSettingsHandler*, void*, const char* line) {
  if (!g_app) return;
  float f = 0;
  int i = 0, v = 0;
  if (std::sscanf(line, "FontScale=%f", &f) == 1) g_app->restore_font_scale(f);
  if (std::sscanf(line, "Open%d=%d", &i, &v) == 2 && i >= 0 && unsigned(i) < kPanels) g_app->ui().open[i] = v != 0;
}
void settings_write(ImGuiContext*, ImGuiSettingsHandler* h, ImGuiTextBuffer* buf) {
  if (!g_app) return;
  buf->appendf("[%s][state]\n", h->TypeName);
  buf->appendf("FontScale=%.2f\n", double(g_app->font_scale()));
  for (unsigned i = 0; i < kPanels; ++i) buf->appendf("Open%u=%d\n", i, g_app->ui().open[i] ? 1 : 0);
  buf->append("\n");
}

std::string config_dir(const std::string& given) {
  if (!given.empty()) return given;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/slotlab";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/slotlab";
  return ".";
}

}  // namespace

void default_panel_rect(PanelId p, float r[4]) {
  // Three columns: the address-space story left, code and memory in the
  // middle, machine state right.
  static const float rects[kPanels][4] = {
      {0.00f, 0.00f, 0.42f, 0.34f},   // slots
      {0.00f, 0.34f, 0.42f, 0.26f},   // calls
      {0.72f, 0.00f, 0.28f, 0.46f},   // registers
      {0.42f, 0.00f, 0.30f, 0.40f},   // disassembly
      {0.42f, 0.64f, 0.30f, 0.36f},   // memory
      {0.42f, 0.40f, 0.30f, 0.24f},   // walk
      {0.72f, 0.46f, 0.28f, 0.30f},   // tlb
      {0.00f, 0.60f, 0.42f, 0.40f},   // events
      {0.72f, 0.76f, 0.28f, 0.24f},   // console
  };
  for (int i = 0; i < 4; ++i) r[i] = rects[unsigned(p)][i];
}

App::App(Session& s, const AppOptions& o) : s_(s), o_(o) {}

App::~App() {
  if (imgui_) {
    if (!ini_path_.empty()) ImGui::SaveIniSettingsToDisk(ini_path_.c_str());
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
  }
  if (g_app == this) g_app = nullptr;
  if (ren_) SDL_DestroyRenderer(ren_);
  if (win_) SDL_DestroyWindow(win_);
  if (sdl_) SDL_Quit();
}

bool App::init(std::string& err) {
  if (o_.headless) {
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    // The software renderer draws into the window surface; without this hint
    // SDL first tries an accelerated texture for that surface and loads Mesa's
    // EGL, which leaks on unload (LeakSanitizer) and is slow to start.
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
  }
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    err = std::string("cannot start SDL video: ") + SDL_GetError() +
          (o_.headless ? "" : " (no display? use --screenshot for headless frames)");
    return false;
  }
  sdl_ = true;
  // Without a display SDL falls back to a driver that draws nowhere (offscreen,
  // dummy) and the window would wait forever for input nobody can give: fail
  // at once instead, unless that driver was asked for (SDL_VIDEODRIVER).
  if (!o_.headless) {
    const char* drv = SDL_GetCurrentVideoDriver();
    const char* asked = SDL_getenv("SDL_VIDEODRIVER");
    if (drv && (!std::strcmp(drv, "offscreen") || !std::strcmp(drv, "dummy")) && !(asked && *asked)) {
      err = std::string("no display: SDL could only start its '") + drv +
            "' video driver. Without a display, use --check (labs), --screenshot FILE, or run under xvfb-run";
      return false;
    }
  }
  const Uint32 wflags = o_.headless ? SDL_WINDOW_HIDDEN : (SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
  const std::string title = o_.title.empty() ? "SlotLab debugger" : "SlotLab debugger: " + o_.title;
  win_ = SDL_CreateWindow(title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o_.width, o_.height,
                          wflags);
  if (!win_) return err = std::string("cannot create a window: ") + SDL_GetError(), false;
  const Uint32 rflags = o_.headless ? SDL_RENDERER_SOFTWARE : (SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
  ren_ = SDL_CreateRenderer(win_, -1, rflags);
  if (!ren_ && !o_.headless) ren_ = SDL_CreateRenderer(win_, -1, SDL_RENDERER_SOFTWARE);
  if (!ren_) return err = std::string("cannot create a renderer: ") + SDL_GetError(), false;

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  imgui_ = true;
  g_app = this;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;   // saved explicitly (ini_path_), never in the working directory
  ImGui::StyleColorsDark();
  ImGuiSettingsHandler h;
  h.TypeName = "SlotLab";
  h.TypeHash = ImHashStr("SlotLab");
  h.ReadOpenFn = settings_open;
  h.ReadLineFn = settings_line;
  h.WriteAllFn = settings_write;
  ImGui::GetCurrentContext()->SettingsHandlers.push_back(h);
  ImGui_ImplSDL2_InitForSDLRenderer(win_);
  ImGui_ImplSDLRenderer_Init(ren_);

  base_scale_ = o_.font_scale > 0 ? o_.font_scale : (o_.headless ? 1.0f : display_scale(win_));
  scale_ = base_scale_;
  if (!o_.headless) {
    const std::string dir = config_dir(o_.config_dir);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ini_path_ = dir + "/imgui.ini";
    if (std::filesystem::exists(ini_path_, ec)) ImGui::LoadIniSettingsFromDisk(ini_path_.c_str());
    io.IniSavingRate = 2.0f;
  }
  if (o_.open_mask)   // after imgui.ini: a lab's panels win over the saved ones
    for (unsigned i = 0; i < kPanels; ++i) ui_.open[i] = (o_.open_mask >> i) & 1;
  fonts_dirty_ = true;
  return true;
}

void App::restore_font_scale(float s) {
  if (o_.font_scale <= 0 && !o_.headless && s >= 0.5f && s <= 6.0f) set_scale(s);
}

void App::set_scale(float s) {
  scale_ = std::min(6.0f, std::max(0.5f, s));
  fonts_dirty_ = true;
}

void App::key(Key k, bool shift, bool ctrl) {
  const Action a = key_action(k, shift, ctrl);
  switch (a) {
    case Action::None: return;
    case Action::Breakpoints: ui_.breakpoint_dialog = true; return;
    case Action::FontBigger: set_scale(scale_ * 1.15f); return;
    case Action::FontSmaller: set_scale(scale_ / 1.15f); return;
    case Action::FontReset: set_scale(base_scale_); return;
    default: s_.act(a);
  }
}

static Key map_key(SDL_Keycode k) {
  switch (k) {
    case SDLK_F5: return Key::F5;
    case SDLK_F7: return Key::F7;
    case SDLK_F8: return Key::F8;
    case SDLK_F9: return Key::F9;
    case SDLK_F10: return Key::F10;
    case SDLK_F11: return Key::F11;
    case SDLK_b: return Key::B;
    case SDLK_EQUALS: case SDLK_PLUS: case SDLK_KP_PLUS: return Key::Plus;
    case SDLK_MINUS: case SDLK_KP_MINUS: return Key::Minus;
    case SDLK_0: case SDLK_KP_0: return Key::Zero;
    default: return Key::Other;
  }
}

bool App::frame() {
  auto handle = [&](const SDL_Event& ev) {
    ImGui_ImplSDL2_ProcessEvent(&ev);
    if (ev.type == SDL_QUIT) quit_ = true;
    if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_CLOSE) quit_ = true;
    if (ev.type == SDL_KEYDOWN && !ImGui::GetIO().WantTextInput) {
      const Uint16 mod = ev.key.keysym.mod;
      key(map_key(ev.key.keysym.sym), mod & KMOD_SHIFT, mod & KMOD_CTRL);
    }
  };
  SDL_Event ev;
  // Idle: wait for input (or a new view) instead of spinning; running: poll.
  // (The waited-for event is handled here: pushing it back would put it
  // behind SDL's poll sentinel and defer it forever.)
  const bool busy = s_.running() || fonts_dirty_;
  if (!busy && SDL_WaitEventTimeout(&ev, 30)) handle(ev);
  while (SDL_PollEvent(&ev)) handle(ev);
  if (quit_) return false;
  s_.poll(req_);
  render(true);
  return !quit_;
}

int App::run() {
  while (frame()) {
  }
  if (!ini_path_.empty()) ImGui::SaveIniSettingsToDisk(ini_path_.c_str());
  return 0;
}

void App::render(bool present) {
  if (fonts_dirty_) {
    load_fonts(scale_);
    ImGui_ImplSDLRenderer_DestroyFontsTexture();
    ImGui_ImplSDLRenderer_CreateFontsTexture();
    fonts_dirty_ = false;
  }
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  ImGui::NewFrame();
  draw();
  ImGui::Render();
  SDL_SetRenderDrawColor(ren_, 22, 22, 28, 255);
  SDL_RenderClear(ren_);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  if (present) SDL_RenderPresent(ren_);
}

void App::draw() {
  const ImGuiIO& io = ImGui::GetIO();
  Requests next = req_;
  base_requests(ui_, s_.frame(), next);
  PanelCtx ctx{s_, s_.frame(), s_.prev_stop(), s_.history(),
               s_.frame().view ? Names(*s_.frame().view) : Names(), next, ui_};
  float top = 0;
  if (o_.only_panel < 0) {
    draw_menu();
    top = ImGui::GetFrameHeight();
    const float th = ImGui::GetFrameHeightWithSpacing() * 2 + ImGui::GetStyle().WindowPadding.y * 2;
    draw_toolbar(top, th);
    top += th;
  }
  const float W = io.DisplaySize.x, H = io.DisplaySize.y - top;
  for (unsigned i = 0; i < kPanels; ++i) {
    const PanelId p = PanelId(i);
    if (o_.only_panel >= 0 && int(i) != o_.only_panel) continue;
    if (o_.only_panel < 0 && !ui_.open[i]) continue;
    ImGuiWindowFlags wf = 0;
    if (o_.only_panel >= 0) {
      ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
      ImGui::SetNextWindowSize(io.DisplaySize, ImGuiCond_Always);
      wf = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
           ImGuiWindowFlags_NoSavedSettings;
    } else {
      float r[4];
      default_panel_rect(p, r);
      const ImGuiCond cond = reset_layout_ || o_.headless ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
      ImGui::SetNextWindowPos(ImVec2(r[0] * W, top + r[1] * H), cond);
      ImGui::SetNextWindowSize(ImVec2(r[2] * W, r[3] * H), cond);
    }
    bool* open = o_.only_panel >= 0 ? nullptr : &ui_.open[i];
    if (ImGui::Begin(panel_title(p), open, wf)) draw_panel(p, ctx);
    ImGui::End();
  }
  reset_layout_ = false;
  if (ui_.breakpoint_dialog) draw_breakpoint_dialog();
  if (help_) draw_help();
  req_ = next;
}

}  // namespace slot::ui
