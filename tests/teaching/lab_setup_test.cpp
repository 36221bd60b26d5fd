// `slotlab lab N` sets the debugger up from the lab table (app/lab/labs.cpp):
// every breakpoint spec must be one the debugger accepts, every panel name a
// panel, and the catches the labs rely on must stop where the lab text says
// (lab 2: a stale translation in slot 1; lab 4: a #PF in evil).
#include <gtest/gtest.h>

#include <sstream>

#include "emu/engine/engine.h"
#include "emu/engine/point_spec.h"
#include "app/lab/labs.h"
#include "ui/model/session.h"
#include "ui/panels/panels.h"

namespace {

using namespace slot;

std::unique_ptr<engine::Engine> boot(const lab::Lab& l) {
  engine::EngineConfig cfg;
  cfg.machine.cmdline = l.cmdline;
  cfg.machine.tlb = l.tlb;
  cfg.time_travel = false;
  auto e = std::make_unique<engine::Engine>(cfg);
  e->load_kernel(SLOTLAB_GUEST_IMAGE);
  return e;
}

TEST(LabSetup, EveryBreakpointAndPanelIsAccepted) {
  ASSERT_EQ(lab::labs().size(), 7u);
  for (const lab::Lab& l : lab::labs()) {
    auto e = boot(l);
    for (const std::string& b : l.breakpoints) EXPECT_EQ(engine::add_breakpoint(*e, b), "") << "lab " << l.number << " " << b;
    EXPECT_EQ(e->points().size(), l.breakpoints.size());
    std::stringstream ss(l.open);
    std::string word;
    int n = 0;
    while (std::getline(ss, word, ',')) {
      ui::PanelId p;
      EXPECT_TRUE(ui::panel_from_key(word, p)) << "lab " << l.number << " panel " << word;
      ++n;
    }
    EXPECT_GE(n, 3) << "lab " << l.number;
  }
}

TEST(LabSetup, BadSpecsAreRefused) {
  auto e = boot(*lab::find_lab(1));
  EXPECT_NE(engine::add_breakpoint(*e, "event:nosuch"), "");
  EXPECT_NE(engine::add_breakpoint(*e, "event:exception:x"), "");
  EXPECT_NE(engine::add_breakpoint(*e, "bogus"), "");
  EXPECT_NE(engine::add_breakpoint(*e, "sym:no_such_symbol_anywhere"), "");
  EXPECT_TRUE(e->points().empty());
}

// Lab 4: F5 stops at the first #PF, which evil causes (docs/guest.md: the
// first attack reads fs's GiB from evil's: a user read of a not-present page).
TEST(LabSetup, Lab4StopsAtEvilsPageFault) {
  auto e = boot(*lab::find_lab(4));
  for (const std::string& b : lab::find_lab(4)->breakpoints) ASSERT_EQ(engine::add_breakpoint(*e, b), "");
  const engine::StopInfo s = e->cont();
  ASSERT_EQ(s.reason, engine::StopReason::Point);
  ASSERT_NE(s.event, engine::kNoIndex);
  const engine::Event& ev = e->events()[s.event];
  EXPECT_EQ(ev.kind, engine::EventKind::Exception);
  EXPECT_EQ(ev.vector, 14);
  EXPECT_EQ(ev.a, 0x4u);                      // SDM Vol. 3A 4.7: U/S=1, W/R=0, P=0
  EXPECT_EQ(ev.b, (1ull << 39) + (2ull << 30));  // fs's GiB: 0x8080000000
  EXPECT_EQ(e->make_view().module, 5u);        // evil in the module slot
}

// Lab 2: F5 stops at a stale translation of the caller's module (slot 1).
TEST(LabSetup, Lab2StopsAtTheStaleTranslation) {
  auto e = boot(*lab::find_lab(2));
  for (const std::string& b : lab::find_lab(2)->breakpoints) ASSERT_EQ(engine::add_breakpoint(*e, b), "");
  const engine::StopInfo s = e->cont();
  ASSERT_EQ(s.reason, engine::StopReason::Point);
  EXPECT_EQ(s.addr >> 39, 1u);                 // PML4 slot 1
  EXPECT_EQ((s.addr >> 30) & 511, 1u);         // app's GiB (module 1)
  EXPECT_EQ(e->make_view().module, 5u);        // read by evil
}

}  // namespace
