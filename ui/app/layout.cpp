#include "ui/app/layout.h"

#include <algorithm>

namespace slot::ui {

namespace {
struct Slot {
  PanelId panel;
  float weight;   // share of the column's height
};
struct Column {
  float weight;   // share of the width
  Slot slots[3];
};
// The proportions of the layout the debugger had before it tiled: the slot
// table and the calls get the widest column, the registers the narrowest.
constexpr Column kColumns[] = {
    {0.42f, {{PanelId::Slots, 0.34f}, {PanelId::Calls, 0.26f}, {PanelId::Events, 0.40f}}},
    {0.30f, {{PanelId::Disassembly, 0.40f}, {PanelId::Walk, 0.24f}, {PanelId::Memory, 0.36f}}},
    {0.28f, {{PanelId::Registers, 0.46f}, {PanelId::Tlb, 0.30f}, {PanelId::Console, 0.24f}}},
};

// Heights for one column: shares of H by weight, but never below a panel's
// minimum while the minimums fit (the panels at their minimum keep it, the
// others share the rest by weight). When they do not fit, every panel gets
// its floor and the rest goes in column order (the first panel of a column
// -- the slot table, the disassembly, the registers -- is served first).
void column_heights(const Slot* slots, const bool open[kPanels], const float min_h[kPanels], float floor_h,
                    float H, float out[3]) {
  bool fixed[3] = {};
  float min_sum = 0;
  for (int i = 0; i < 3; ++i)
    if (open[unsigned(slots[i].panel)]) min_sum += min_h ? min_h[unsigned(slots[i].panel)] : 0;
  if (min_sum > H) {
    // (tile_panels stacks the column as tabs first; this is what is left.)
    float rest = H;
    for (int i = 0; i < 3; ++i) {
      out[i] = open[unsigned(slots[i].panel)] ? std::min(min_h[unsigned(slots[i].panel)], floor_h) : 0;
      rest -= out[i];
    }
    if (rest < 0) {   // not even the floors fit: shrink them alike
      const float k = H / (H - rest);
      for (int i = 0; i < 3; ++i) out[i] *= k;
      return;
    }
    for (int i = 0; i < 3; ++i) {
      if (!open[unsigned(slots[i].panel)]) continue;
      const float extra = std::min(rest, min_h[unsigned(slots[i].panel)] - out[i]);
      out[i] += extra;
      rest -= extra;
    }
    return;
  }
  for (bool changed = true; changed;) {
    changed = false;
    float rest = H, weights = 0;
    for (int i = 0; i < 3; ++i) {
      if (!open[unsigned(slots[i].panel)]) continue;
      if (fixed[i]) rest -= out[i];
      else weights += slots[i].weight;
    }
    for (int i = 0; i < 3; ++i) {
      if (!open[unsigned(slots[i].panel)] || fixed[i]) continue;
      out[i] = rest * slots[i].weight / weights;
      const float m = min_h ? min_h[unsigned(slots[i].panel)] : 0;
      if (out[i] < m) {
        out[i] = m;
        fixed[i] = changed = true;
        break;   // shares of the others change: again
      }
    }
  }
}
}  // namespace

std::array<PanelRect, kPanels> tile_panels(const bool open[kPanels], float W, float H, const float* min_h,
                                           float floor_h) {
  std::array<PanelRect, kPanels> out{};
  auto column_open = [&](const Column& c) {
    return std::any_of(std::begin(c.slots), std::end(c.slots), [&](const Slot& s) { return open[unsigned(s.panel)]; });
  };
  float total_w = 0;
  for (const Column& c : kColumns)
    if (column_open(c)) total_w += c.weight;
  if (total_w <= 0) return out;
  float x = 0;
  for (const Column& c : kColumns) {
    if (!column_open(c)) continue;
    const float w = W * c.weight / total_w;
    const int column = int(&c - kColumns);
    // The open panels of this column, in order, and what they need.
    PanelId ids[3];
    int n = 0;
    float need = 0;
    for (const Slot& s : c.slots)
      if (open[unsigned(s.panel)]) {
        ids[n++] = s.panel;
        need += min_h ? min_h[unsigned(s.panel)] : 0;
      }
    const float first_min = min_h ? min_h[unsigned(ids[0])] : 0;
    if (n >= 3 && need > H && first_min + floor_h <= H) {
      // Too small for all three: the first keeps its rows, the others tab.
      const float top = std::max(first_min, H - std::max({min_h[unsigned(ids[1])], min_h[unsigned(ids[2])], floor_h}));
      out[unsigned(ids[0])] = {x, 0, w, top};
      for (int i = 1; i < n; ++i) out[unsigned(ids[i])] = {x, top, w, H - top, column};
      x += w;
      continue;
    }
    if (n >= 2 && need > H && floor_h * float(n) > H) {
      // Not even that: the whole column is one window of tabs.
      for (int i = 0; i < n; ++i) out[unsigned(ids[i])] = {x, 0, w, H, column};
      x += w;
      continue;
    }
    float h[3] = {};
    column_heights(c.slots, open, min_h, floor_h, H, h);
    float y = 0;
    for (int i = 0; i < 3; ++i) {
      if (!open[unsigned(c.slots[i].panel)]) continue;
      out[unsigned(c.slots[i].panel)] = {x, y, w, h[i]};
      y += h[i];
    }
    x += w;
  }
  return out;
}

}  // namespace slot::ui
