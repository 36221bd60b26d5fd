// Fonts for desktops, HiDPI screens and projectors: one monospace font at
// 15 px times the scale (a classroom wants --font-scale 2 or Ctrl+=), with
// the style's paddings scaled alike.
#include <SDL.h>
#include <imgui.h>

#include <cmath>
#include <filesystem>

#include "ui/app/app.h"

namespace slot::ui {

namespace {
const char* const kFonts[] = {
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
};
}  // namespace

float display_scale(SDL_Window* w) {
  float ddpi = 0;
  const int display = w ? SDL_GetWindowDisplayIndex(w) : 0;
  if (SDL_GetDisplayDPI(display < 0 ? 0 : display, &ddpi, nullptr, nullptr) != 0 || ddpi <= 0) return 1.0f;
  const float s = std::round(ddpi / 96.0f * 4.0f) / 4.0f;
  return s < 1.0f ? 1.0f : s > 4.0f ? 4.0f : s;
}

void load_fonts(float scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // Latin-1, arrows, box drawing and blocks (the VGA screen's code page 437).
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0391, 0x03C9, 0x2010, 0x2044, 0x2190, 0x21FF,
                                   0x2219, 0x2265, 0x2302, 0x2321, 0x2500, 0x25FF, 0x263A, 0x266B, 0};
  ImFont* font = nullptr;
  std::error_code ec;
  for (const char* path : kFonts)
    if (std::filesystem::exists(path, ec)) {
      font = io.Fonts->AddFontFromFileTTF(path, std::round(15.0f * scale), nullptr, ranges);
      if (font) break;
    }
  if (!font) {
    ImFontConfig cfg;
    cfg.SizePixels = std::round(13.0f * scale);
    io.Fonts->AddFontDefault(&cfg);
  }
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.WindowRounding = 3;
  style.FrameRounding = 2;
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
}

}  // namespace slot::ui
