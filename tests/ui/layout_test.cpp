// The tiled layout (ui/app/layout.h), as arithmetic: the open panels cover
// the area exactly without overlap, closed panels give their space to the
// others, minimum heights are honoured while they fit, and a column too
// short for its panels stacks the later ones as tabs.
#include <gtest/gtest.h>

#include "ui/app/layout.h"

namespace slot::ui::test {
namespace {

float covered(const std::array<PanelRect, kPanels>& t, const bool open[kPanels]) {
  float a = 0;
  int tab_groups_seen[3] = {};
  for (unsigned i = 0; i < kPanels; ++i) {
    if (!open[i]) continue;
    if (t[i].tabs >= 0 && tab_groups_seen[t[i].tabs]++) continue;   // a group's window once
    a += t[i].w * t[i].h;
  }
  return a;
}

void no_overlap(const std::array<PanelRect, kPanels>& t, const bool open[kPanels]) {
  for (unsigned i = 0; i < kPanels; ++i)
    for (unsigned j = i + 1; j < kPanels; ++j) {
      if (!open[i] || !open[j] || (t[i].tabs >= 0 && t[i].tabs == t[j].tabs)) continue;
      const float ox = std::min(t[i].x + t[i].w, t[j].x + t[j].w) - std::max(t[i].x, t[j].x);
      const float oy = std::min(t[i].y + t[i].h, t[j].y + t[j].h) - std::max(t[i].y, t[j].y);
      EXPECT_FALSE(ox > 0.5f && oy > 0.5f) << panel_key(PanelId(i)) << " overlaps " << panel_key(PanelId(j));
    }
}

TEST(Layout, AllNineCoverTheAreaExactly) {
  bool open[kPanels];
  std::fill(open, open + kPanels, true);
  const auto t = tile_panels(open, 1600, 900);
  EXPECT_NEAR(covered(t, open), 1600.0f * 900.0f, 1.0f);
  no_overlap(t, open);
  for (unsigned i = 0; i < kPanels; ++i) EXPECT_GT(t[i].h, 0) << panel_key(PanelId(i));
}

TEST(Layout, ClosingAPanelGivesItsSpaceToItsColumn) {
  bool open[kPanels];
  std::fill(open, open + kPanels, true);
  const auto before = tile_panels(open, 1600, 900);
  open[unsigned(PanelId::Events)] = false;
  const auto after = tile_panels(open, 1600, 900);
  EXPECT_NEAR(covered(after, open), 1600.0f * 900.0f, 1.0f);
  EXPECT_GT(after[unsigned(PanelId::Slots)].h, before[unsigned(PanelId::Slots)].h);
  EXPECT_GT(after[unsigned(PanelId::Calls)].h, before[unsigned(PanelId::Calls)].h);
  // A whole column closed: the others take the width.
  for (PanelId p : {PanelId::Slots, PanelId::Calls}) open[unsigned(p)] = false;
  const auto narrow = tile_panels(open, 1600, 900);
  EXPECT_NEAR(covered(narrow, open), 1600.0f * 900.0f, 1.0f);
  EXPECT_GT(narrow[unsigned(PanelId::Registers)].w, before[unsigned(PanelId::Registers)].w);
}

TEST(Layout, MinimumHeightsWhileTheyFitThenTabs) {
  bool open[kPanels];
  std::fill(open, open + kPanels, true);
  float min_h[kPanels];
  std::fill(min_h, min_h + kPanels, 100.0f);
  min_h[unsigned(PanelId::Slots)] = 400;
  const auto t = tile_panels(open, 1600, 800, min_h, 80);
  EXPECT_GE(t[unsigned(PanelId::Slots)].h, 400 - 0.5f);
  for (unsigned i = 0; i < kPanels; ++i) EXPECT_GE(t[i].h, 100 - 0.5f) << panel_key(PanelId(i));
  no_overlap(t, open);
  // 400 + 100 + 100 > 550: the slot table keeps its rows, calls and events
  // share the rest as tabs of one window.
  const auto s = tile_panels(open, 1600, 550, min_h, 80);
  EXPECT_GE(s[unsigned(PanelId::Slots)].h, 400 - 0.5f);
  EXPECT_EQ(s[unsigned(PanelId::Slots)].tabs, -1);
  EXPECT_GE(s[unsigned(PanelId::Calls)].tabs, 0);
  EXPECT_EQ(s[unsigned(PanelId::Calls)].tabs, s[unsigned(PanelId::Events)].tabs);
  EXPECT_NEAR(covered(s, open), 1600.0f * 550.0f, 1.0f);
  no_overlap(s, open);
}

}  // namespace
}  // namespace slot::ui::test
