#include "ui/app/app.h"

#include "ui/app/layout.h"

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

constexpr float kPresentScale = 1.6f;

// The layout (window positions and sizes) is ImGui's own imgui.ini; these
// lines add which panels are open and the text size, in the same file.
App* g_app = nullptr;
void* settings_open(ImGuiContext*, ImGuiSettingsHandler*, const char*) { return g_app; }
void settings_line(ImGuiContext*, ImGuiSettingsHandler*, void*, const char* line) {
  if (!g_app) return;
  float f = 0;
  int i = 0, v = 0;
  if (std::sscanf(line, "FontScale=%f", &f) == 1) g_app->restore_font_scale(f);
  if (std::sscanf(line, "Tiled=%d", &v) == 1) g_app->ui().tiled = v != 0;
  if (std::sscanf(line, "Open%d=%d", &i, &v) == 2 && i >= 0 && unsigned(i) < kPanels) g_app->ui().open[i] = v != 0;
}
void settings_write(ImGuiContext*, ImGuiSettingsHandler* h, ImGuiTextBuffer* buf) {
  if (!g_app) return;
  buf->appendf("[%s][state]\n", h->TypeName);
  buf->appendf("FontScale=%.2f\n", double(g_app->font_scale()));
  buf->appendf("Tiled=%d\n", g_app->ui().tiled ? 1 : 0);
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

void App::reset_layout() {
  // The panel set this session started with (a lab's, or --open), tiled.
  reset_layout_ = true;
  ui_.tiled = true;
  for (unsigned i = 0; i < kPanels; ++i) ui_.open[i] = o_.open_mask ? ((o_.open_mask >> i) & 1) != 0 : true;
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
    case Action::Present: ui_.present = !ui_.present; return;
    case Action::Escape:
      // A run or a reverse search stops (they can take long); else
      // presentation mode ends.
      if (s_.running()) s_.pause();
      else ui_.present = false;
      return;
    case Action::SavePng: save_hovered_panel(); return;
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
    case SDLK_p: return Key::P;
    case SDLK_s: return Key::S;
    case SDLK_PAGEUP: return Key::PageUp;
    case SDLK_PAGEDOWN: return Key::PageDown;
    case SDLK_ESCAPE: return Key::Escape;
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
  // Presentation mode: large type, crisp (the fonts are rebuilt, not scaled);
  // the user's own text size is kept for when it ends.
  if (ui_.present != present_on_) {
    present_on_ = ui_.present;
    fonts_dirty_ = true;
  }
  if (fonts_dirty_) {
    load_fonts(scale_ * (present_on_ ? kPresentScale : 1.0f));
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
  if (!save_.title.empty()) write_saved_png();   // before present: the back buffer holds this frame
  if (present) SDL_RenderPresent(ren_);
}

void App::draw_tab_groups(const std::array<PanelRect, kPanels>& tiles, float top, PanelCtx& ctx) {
  // A column too short for all its panels: the ones after the first share
  // one window as tabs ("tabs:" + column; tests find them by that name).
  for (int g = 0; g < 3; ++g) {
    const PanelRect* r = nullptr;
    for (unsigned i = 0; i < kPanels; ++i)
      if (ui_.open[i] && tiles[i].tabs == g) r = &tiles[i];
    if (!r) continue;
    ImGui::SetNextWindowPos(ImVec2(r->x, top + r->y), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(r->w, r->h), ImGuiCond_Always);
    const ImGuiWindowFlags wf = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
    const std::string name = "tabs:column" + std::to_string(g);
    if (ImGui::Begin(name.c_str(), nullptr, wf) && ImGui::BeginTabBar("panels")) {
      for (unsigned i = 0; i < kPanels; ++i) {
        if (!ui_.open[i] || tiles[i].tabs != g) continue;
        if (ImGui::BeginTabItem(panel_title(PanelId(i)), &ui_.open[i])) {
          ImGui::BeginChild("panel");
          draw_panel(PanelId(i), ctx);
          ImGui::EndChild();
          ImGui::EndTabItem();
        }
      }
      ImGui::EndTabBar();
    }
    ImGui::End();
  }
}

std::array<float, kPanels> App::min_heights() const {
  // Lines each panel needs to be usable: its title and controls, and for
  // the slot table every address space's row (the story of the lecture).
  const ImGuiStyle& st = ImGui::GetStyle();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float chrome = ImGui::GetFrameHeight() + st.WindowPadding.y * 2;
  const engine::View* v = s_.frame().view.get();
  const float spaces = v ? float(std::min<size_t>(v->pml4.size(), 12)) : 3;
  std::array<float, kPanels> m{};
  m.fill(chrome + line * 6);
  // Timeline slider and buttons, the legend, the table: a header and a row
  // per space (text, cell padding, border), its horizontal scrollbar.
  const float table_row = ImGui::GetTextLineHeight() + st.CellPadding.y * 2 + 1;
  m[unsigned(PanelId::Slots)] = chrome + ImGui::GetFrameHeightWithSpacing() + line +
                                table_row * (spaces + 1) + st.ScrollbarSize + st.ItemSpacing.y * 2 + 2;
  m[unsigned(PanelId::Walk)] = chrome + line * 7;
  return m;
}

void App::draw_presentation(PanelCtx& c) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
  ImGui::SetNextWindowSize(io.DisplaySize, ImGuiCond_Always);
  const ImGuiWindowFlags wf = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                              ImGuiWindowFlags_NoSavedSettings;
  if (ImGui::Begin("PML4 slots: presentation", nullptr, wf)) draw_present_panel(c);
  ImGui::End();
}

void App::draw() {
  const ImGuiIO& io = ImGui::GetIO();
  Requests next = req_;
  base_requests(ui_, s_.frame(), next);
  PanelCtx ctx{s_, s_.frame(), s_.prev_stop(), s_.history(),
               s_.frame().view ? Names(*s_.frame().view) : Names(), next, ui_};
  float top = 0;
  if (ui_.present && o_.only_panel < 0) {
    draw_presentation(ctx);
    if (ui_.breakpoint_dialog) draw_breakpoint_dialog();
    req_ = next;
    return;
  }
  if (o_.only_panel < 0) {
    draw_menu();
    top = ImGui::GetFrameHeight();
    top += draw_toolbar(top);
  }
  const float W = io.DisplaySize.x, H = std::max(1.0f, io.DisplaySize.y - top);
  // A panel keeps at least its title and three lines (its controls and two rows).
  const float floor_h = ImGui::GetFrameHeight() + ImGui::GetStyle().WindowPadding.y * 2 +
                        ImGui::GetTextLineHeightWithSpacing() * 3;
  const auto tiles = tile_panels(ui_.open, W, H, min_heights().data(), floor_h);
  for (unsigned i = 0; i < kPanels; ++i) {
    const PanelId p = PanelId(i);
    if (o_.only_panel >= 0 && int(i) != o_.only_panel) continue;
    if (o_.only_panel < 0 && !ui_.open[i]) continue;
    if (o_.only_panel < 0 && ui_.tiled && tiles[i].tabs >= 0) continue;   // drawn as a tab below
    ImGuiWindowFlags wf = 0;
    if (o_.only_panel >= 0) {
      ImGui::SetNextWindowPos(ImVec2(0, 0), ImGuiCond_Always);
      ImGui::SetNextWindowSize(io.DisplaySize, ImGuiCond_Always);
      wf = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
           ImGuiWindowFlags_NoSavedSettings;
    } else {
      // Tiled (the default): every open panel has its tile, at any window
      // size and font, and follows the window when it is resized. Untiled:
      // free windows, placed on the tiles once and then where the user puts them.
      const PanelRect& r = tiles[i];
      const ImGuiCond cond = ui_.tiled || reset_layout_ || o_.headless ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
      ImGui::SetNextWindowPos(ImVec2(r.x, top + r.y), cond);
      ImGui::SetNextWindowSize(ImVec2(r.w, r.h), cond);
      if (ui_.tiled) wf |= ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;
    }
    bool* open = o_.only_panel >= 0 ? nullptr : &ui_.open[i];
    if (ImGui::Begin(panel_title(p), open, wf)) draw_panel(p, ctx);
    ImGui::End();
  }
  if (o_.only_panel < 0 && ui_.tiled) draw_tab_groups(tiles, top, ctx);
  reset_layout_ = false;
  if (ui_.breakpoint_dialog) draw_breakpoint_dialog();
  if (help_) draw_help();
  req_ = next;
}

}  // namespace slot::ui
