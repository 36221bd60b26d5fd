// Time travel: forward N, reverse M, forward M, compared bit for bit -- and
// against a bare Machine that ran straight to the same instruction count
// without the engine (no observers, no snapshots, no replay).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

constexpr const char* kCmd = "workload=demo flush=cr3";  // about 1.8 M instructions

// Snapshots every 300,000 instructions, so that the demo spans several.
EngineConfig tt_config() {
  EngineConfig cfg;
  cfg.snapshot_interval = 300'000;
  return cfg;
}

TEST(TimeTravel, ForwardReverseForwardIsBitIdentical) {
  constexpr uint64_t N = 945'000, M = 405'000;  // crosses snapshot boundaries both ways
  auto b = test::boot(kCmd, tt_config());
  Engine& e = *b.e;
  ASSERT_EQ(e.cont(N).reason, StopReason::Limit);
  ASSERT_EQ(e.icount(), N);
  const test::MachineState at_n = test::capture(e.machine());
  const test::MachineState bare_n = test::bare_state_at(kCmd, N);
  EXPECT_EQ(test::first_difference(at_n, bare_n), "identical") << "the engine changed the machine";

  ASSERT_EQ(e.cont(M).reason, StopReason::Limit);
  const test::MachineState at_nm = test::capture(e.machine());
  EXPECT_EQ(test::first_difference(at_nm, test::bare_state_at(kCmd, N + M)), "identical");
  const size_t events = e.events().size();

  ASSERT_EQ(e.goto_icount(N).reason, StopReason::Step);
  ASSERT_EQ(e.icount(), N);
  EXPECT_EQ(test::first_difference(test::capture(e.machine()), at_n), "identical") << "reverse M";

  ASSERT_EQ(e.cont(M).reason, StopReason::Limit);
  EXPECT_EQ(test::first_difference(test::capture(e.machine()), at_nm), "identical") << "forward M again";
  EXPECT_EQ(e.events().size(), events);  // replay re-observed, appended nothing
  EXPECT_EQ(e.cursor(), events);
}

TEST(TimeTravel, ReverseStepIsTheStateOneInstructionEarlier) {
  auto b = test::boot(kCmd, tt_config());
  Engine& e = *b.e;
  for (uint64_t t : {600'001ull, 600'000ull, 1'368'457ull}) {
    e.goto_icount(t);
    ASSERT_EQ(e.icount(), t);
    ASSERT_EQ(e.reverse_step().reason, StopReason::Step);
    ASSERT_EQ(e.icount(), t - 1);
    EXPECT_EQ(test::first_difference(test::capture(e.machine()), test::bare_state_at(kCmd, t - 1)), "identical")
        << "at " << t - 1;
  }
}

TEST(TimeTravel, ReverseContinueVisitsTheHitsBackwards) {
  auto b = test::boot(kCmd, tt_config());
  Engine& e = *b.e;
  e.step(StepKind::NextCall);
  e.add_symbol_breakpoint("fs:module_main");
  e.add_point(StopPoint::on(EventKind::Cr3Load));
  std::vector<uint64_t> hits;
  for (;;) {
    const StopInfo s = e.cont();
    if (s.reason != StopReason::Point) break;
    hits.push_back(s.icount);
  }
  ASSERT_GT(hits.size(), 5u);
  const std::string transcript = b.console->text();
  for (size_t i = hits.size(); i-- > hits.size() - 5;) {
    const StopInfo s = e.reverse_cont();
    ASSERT_EQ(s.reason, StopReason::Point);
    EXPECT_EQ(s.icount, hits[i]);
  }
  // Forward again to the end: the console shows nothing twice.
  while (e.cont().reason == StopReason::Point) {
  }
  EXPECT_EQ(b.console->text(), transcript);
}

TEST(TimeTravel, BackToThePreviousCall) {
  std::vector<uint64_t> call_stops;
  {
    auto b = test::boot(kCmd, tt_config());
    for (;;) {
      const StopInfo s = b.e->step(StepKind::NextCall);
      if (s.reason != StopReason::Step) break;
      call_stops.push_back(s.icount);
    }
  }
  auto b = test::boot(kCmd, tt_config());
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  for (size_t i = call_stops.size(); i-- > call_stops.size() - 4;) {
    const StopInfo s = e.back_to_call();
    ASSERT_EQ(s.reason, StopReason::Step);
    EXPECT_EQ(s.icount, call_stops[i]);
    EXPECT_EQ(e.events()[s.event].kind, EventKind::Call);
  }
}

TEST(TimeTravel, SnapshotMemoryStaysWithinItsBudget) {
  EngineConfig cfg;
  cfg.snapshot_interval = 500'000;
  cfg.snapshot_budget = 4ull << 20;
  auto b = test::boot(kCmd, cfg);
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  EXPECT_LE(e.snapshot_bytes(), cfg.snapshot_budget);
  EXPECT_GT(e.oldest_reachable_icount(), 0u);
  EXPECT_NE(e.snapshot_message().find("limit"), std::string::npos);
  const StopInfo s = e.goto_icount(0);
  EXPECT_EQ(s.reason, StopReason::HistoryStart);
  EXPECT_EQ(e.icount(), e.oldest_reachable_icount());
  // Still consistent from there: forward to the end reproduces the transcript.
  const std::string transcript = b.console->text();
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  EXPECT_EQ(b.console->text(), transcript);
}

TEST(TimeTravel, EngineThreadRunsPausesAndServesQueries) {
  auto b = test::boot(kCmd, tt_config());
  Engine& e = *b.e;
  e.start();
  Command c;
  c.kind = CommandKind::Continue;
  e.post(c);
  // A query served between slices while the guest runs.
  uint64_t seen = 0;
  e.exec([&](Engine& x) { seen = x.icount(); }).get();
  e.pause();
  std::shared_ptr<const View> v;
  for (int i = 0; i < 2000; ++i) {
    v = e.view();
    if (v && !v->running && v->last_stop.reason != StopReason::Step) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(v);
  EXPECT_FALSE(v->running);
  EXPECT_TRUE(v->last_stop.reason == StopReason::Paused || v->last_stop.reason == StopReason::GuestExit);
  EXPECT_GE(v->icount, seen);
  e.stop_thread();
  EXPECT_EQ(e.icount(), v->icount);
}

}  // namespace
}  // namespace slot::engine
