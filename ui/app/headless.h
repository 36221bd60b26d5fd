// Headless frames: the debugger drawn with SDL's offscreen video driver and
// software renderer, read back and written as PNG (docs, CI). No ImGui or SDL
// types here: tests and debug_main.cpp call it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ui/model/console_vm.h"

namespace slot::ui {

struct Image {
  int w = 0, h = 0;
  std::vector<uint8_t> rgba;   // w * h * 4
};

struct HeadlessOptions {
  int width = 1600, height = 1000;
  float font_scale = 1.0f;
  int panel = -1;              // PanelId to draw alone, or -1 for the whole debugger
  std::string walk;            // page-walk address (hex or register); "" = RIP
  uint32_t open_mask = 0;      // bit i: PanelId i drawn (0 = all)
};

// Draws the debugger for `e` (which must not run on its own thread) and reads
// the frame back. False and `err` on failure.
bool render_headless(engine::Engine& e, std::shared_ptr<SerialLog> log, const HeadlessOptions& o, Image& out,
                     std::string& err);
bool write_png(const Image& img, const std::string& path, std::string& err);

// Test helpers: how many pixels differ from the most common colour, and how
// many pixels differ between two images of one size.
size_t non_background_pixels(const Image& img);
size_t differing_pixels(const Image& a, const Image& b);

}  // namespace slot::ui
