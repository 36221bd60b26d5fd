// CI smoke test of the headless renderer (SDL offscreen driver, software
// renderer): every panel of the real guest is drawn, is not blank, is the
// same frame when drawn twice from one state, and differs between two states
// of the machine. The PNGs land in the build tree (ui-shots/) for a look.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/ui/guest_fixture.h"
#include "ui/app/headless.h"
#include "ui/panels/panels.h"

namespace slot::ui::test {
namespace {

Image shot(GuestRun& g, int panel, int w, int h, const std::string& name) {
  HeadlessOptions o;
  o.width = w;
  o.height = h;
  o.panel = panel;
  Image img;
  std::string err;
  EXPECT_TRUE(render_headless(*g.e, g.log, o, img, err)) << err;
  EXPECT_EQ(img.w, w);
  EXPECT_EQ(img.h, h);
  std::filesystem::create_directories(SLOTLAB_UI_SHOTS);
  EXPECT_TRUE(write_png(img, std::string(SLOTLAB_UI_SHOTS) + "/" + name + ".png", err)) << err;
  return img;
}

TEST(Render, EveryPanelHeadless) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun early, late;
  early.until("call:1");
  late.until("call:9");
  late.e->cont(3000);  // into the callee: another module, other registers, other TLB contents
  const int w = 720, h = 480;
  const size_t px = size_t(w) * h;
  for (unsigned p = 0; p < kPanels; ++p) {
    const std::string name = panel_key(PanelId(p));
    const Image a = shot(early, int(p), w, h, name + "-early");
    const Image b = shot(late, int(p), w, h, name + "-late");
    EXPECT_GT(non_background_pixels(a), px / 50) << name << " looks blank";
    EXPECT_GT(non_background_pixels(b), px / 50) << name << " looks blank";
    EXPECT_GT(differing_pixels(a, b), px / 500) << name << " did not change with the machine's state";
  }
}

TEST(Render, SameStateSameFrameAndTheWholeWindow) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:3");
  const Image a = shot(g, -1, 1280, 800, "full-a");
  const Image b = shot(g, -1, 1280, 800, "full-b");
  EXPECT_EQ(differing_pixels(a, b), 0u);
  EXPECT_GT(non_background_pixels(a), size_t(1280) * 800 / 10);
}

TEST(Render, FontScaleMakesBiggerText) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  g.until("call:1");
  HeadlessOptions o;
  o.width = 640;
  o.height = 400;
  o.panel = int(PanelId::Registers);
  Image small, big;
  std::string err;
  ASSERT_TRUE(render_headless(*g.e, g.log, o, small, err)) << err;
  o.font_scale = 2.0f;
  ASSERT_TRUE(render_headless(*g.e, g.log, o, big, err)) << err;
  EXPECT_GT(differing_pixels(small, big), size_t(640) * 400 / 20);
}

}  // namespace
}  // namespace slot::ui::test
