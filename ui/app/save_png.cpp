// Save a panel as PNG from the window (for slides): the panel's rectangle is
// read back from the frame just drawn and written beside the working
// directory as slotlab-<panel>-<icount>.png, all or nothing (write_png).
#include <SDL.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <cstdio>
#include <filesystem>

#include "ui/app/app.h"
#include "ui/app/headless.h"

namespace slot::ui {

namespace {
std::string file_key(const std::string& title) {
  for (unsigned i = 0; i < kPanels; ++i)
    if (title == panel_title(PanelId(i))) return panel_key(PanelId(i));
  std::string k;
  for (char ch : title) k += std::isalnum(static_cast<unsigned char>(ch)) ? char(std::tolower(ch)) : '-';
  return k;
}
}  // namespace

void App::save_panel(const std::string& title) {
  const auto v = s_.latest_view();
  save_.title = title;
  save_.file = "slotlab-" + file_key(title) + "-" + std::to_string(v ? v->icount : 0) + ".png";
}

void App::save_hovered_panel() {
  // The top-level window under the mouse; the whole window when none is.
  const ImGuiWindow* w = ImGui::GetCurrentContext()->HoveredWindow;
  while (w && w->ParentWindow) w = w->ParentWindow;
  save_panel(w ? w->Name : "");
  if (!w) save_.title = "##everything", save_.file = "slotlab-window.png";
}

void App::write_saved_png() {
  const SaveRequest req = save_;
  save_ = {};
  int W = 0, H = 0;
  SDL_GetRendererOutputSize(ren_, &W, &H);
  SDL_Rect r{0, 0, W, H};
  if (req.title != "##everything") {
    const ImGuiWindow* w = ImGui::FindWindowByName(req.title.c_str());
    if (!w || !w->Active) {
      saved_message_ = "cannot save: " + req.title + " is not shown";
      return;
    }
    // ImGui's coordinates are in window points; the renderer's output may be
    // larger on a HiDPI display.
    const float sx = float(W) / ImGui::GetIO().DisplaySize.x, sy = float(H) / ImGui::GetIO().DisplaySize.y;
    const SDL_Rect panel{int(w->Pos.x * sx), int(w->Pos.y * sy), int(w->Size.x * sx), int(w->Size.y * sy)};
    const SDL_Rect all{0, 0, W, H};
    SDL_IntersectRect(&panel, &all, &r);
  }
  Image img;
  img.w = r.w, img.h = r.h;
  img.rgba.resize(size_t(r.w) * size_t(r.h) * 4);
  std::string err;
  if (r.w <= 0 || r.h <= 0 || SDL_RenderReadPixels(ren_, &r, SDL_PIXELFORMAT_ABGR8888, img.rgba.data(), r.w * 4) != 0) {
    saved_message_ = std::string("cannot read the frame back: ") + SDL_GetError();
    return;
  }
  if (!write_png(img, req.file, err)) {   // all or nothing
    saved_message_ = err;
    return;
  }
  saved_message_ = "wrote " + req.file + " (" + std::to_string(r.w) + "x" + std::to_string(r.h) + ")";
  std::printf("%s\n", saved_message_.c_str());
  std::fflush(stdout);
}

}  // namespace slot::ui
