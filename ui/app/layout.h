// The tiled layout: the open panels share the area below the toolbar in three
// columns (the address-space story left, code and memory in the middle,
// machine state right), so every open panel is visible at any window size and
// font, and closing one gives its space to the others. Pure arithmetic, no
// ImGui (tests/ui/layout_test.cpp).
#pragma once
#include <array>

#include "ui/panels/panels.h"

namespace slot::ui {

struct PanelRect {
  float x = 0, y = 0, w = 0, h = 0;   // w == 0: not shown
  int tabs = -1;   // >= 0: shares this rectangle with the column's other panels as tabs (group id)
};

// Rectangles for the panels with open[i] set, tiling [0,W) x [0,H) exactly.
// min_h (may be null): the height each panel needs to show its rows; a
// column gives it that much while the column's minimums fit. When they do
// not, the first panel of the column (the slot table in the left one) keeps
// its minimum and the others become tabs of one window below it (tabs = the
// column's index); when not even that fits, every panel keeps floor_h (or
// an equal share) and the first is served first.
std::array<PanelRect, kPanels> tile_panels(const bool open[kPanels], float W, float H,
                                           const float* min_h = nullptr, float floor_h = 0);

}  // namespace slot::ui
