// Debugger-level chaos (docs/reliability.md): seeded random sequences of
// step, step over/out, continue with a budget, reverse step, reverse
// continue, goto, and breakpoints (inserted at RIPs seen earlier, on events,
// removed again) against the real guest through emu/engine. Whatever path the
// engine took - forward, replay from a snapshot, reverse - the machine state
// (RAM, CPU, MMU, board) at the end of each checked command equals the state
// of a bare Machine that ran straight to the same instruction count.
// SLOTLAB_CHAOS_DEBUG_SEEDS=N / SLOTLAB_CHAOS_DEBUG_CMDS=M make the long run.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

constexpr const char* kCmd = "workload=demo flush=cr3";

uint64_t env(const char* name, uint64_t dflt) {
  const char* e = std::getenv(name);
  return e ? std::strtoull(e, nullptr, 0) : dflt;
}

void chaos(uint64_t seed, unsigned commands, unsigned& checks) {
  std::mt19937_64 rng(seed);
  EngineConfig cfg;
  cfg.snapshot_interval = 400'000;  // many snapshots: replay starts from many places
  auto b = test::boot(kCmd, cfg);
  Engine& e = *b.e;
  std::vector<uint64_t> rips;  // places the guest has been
  std::vector<int> ids;
  constexpr uint64_t kHorizon = 2'000'000;  // keeps each bare re-run short
  for (unsigned c = 0; c < commands; ++c) {
    const unsigned op = unsigned(rng() % 10);
    StopInfo s;
    const char* what = "";
    if (e.icount() > kHorizon) { s = e.goto_icount(rng() % kHorizon); what = "goto back"; }
    else switch (op) {
      case 0: s = e.step(); what = "step"; break;
      case 1: s = e.step(StepKind::OverInsn); what = "step over"; break;
      case 2: s = e.cont(1 + rng() % 200'000); what = "cont N"; break;
      case 3: s = e.reverse_step(); what = "reverse step"; break;
      case 4: s = e.reverse_cont(); what = "reverse cont"; break;
      case 5: s = e.goto_icount(rng() % (e.icount() + 200'000)); what = "goto"; break;
      case 6:
        if (!rips.empty()) ids.push_back(e.add_point(StopPoint::exec(rips[rng() % rips.size()])));
        s = e.cont(1 + rng() % 500'000); what = "break + cont"; break;
      case 7:
        ids.push_back(e.add_point(StopPoint::on(rng() & 1 ? EventKind::Cr3Load : EventKind::Exception)));
        s = e.cont(1 + rng() % 500'000); what = "event point + cont"; break;
      case 8:
        if (!ids.empty()) { const size_t k = rng() % ids.size(); e.remove_point(ids[k]); ids.erase(ids.begin() + long(k)); }
        s = e.step(StepKind::Out); what = "remove + step out"; break;
      default:
        for (int k = 0, n = int(rng() % 50); k < n; ++k) s = e.step();
        what = "steps"; break;
    }
    ASSERT_NE(s.reason, StopReason::Shutdown) << "seed " << seed << " command " << c << " (" << what << ")";
    rips.push_back(e.machine().cpu().s.rip);
    if (c % 6 == 5 || c + 1 == commands) {
      ++checks;
      ASSERT_EQ(test::first_difference(test::capture(e.machine()), test::bare_state_at(kCmd, e.icount())),
                "identical")
          << "seed " << seed << " command " << c << " (" << what << ") at icount " << e.icount();
    }
  }
}

TEST(DebuggerChaos, RandomCommandsReplayEqualsDirectExecution) {
  const uint64_t seeds = env("SLOTLAB_CHAOS_DEBUG_SEEDS", 2);
  const unsigned commands = unsigned(env("SLOTLAB_CHAOS_DEBUG_CMDS", 12));
  unsigned checks = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    chaos(seed, commands, checks);
    if (HasFatalFailure()) return;
  }
  std::printf("[debugger chaos] seeds 1..%llu, %u commands each, %u state comparisons, all identical\n",
              (unsigned long long)seeds, commands, checks);
}

// Resource limits: with a small history budget a forward run stops at the
// limit with a message that says so; reverse execution and replay inside
// the recorded history still work and stay exact.
TEST(DebuggerChaos, HistoryBudgetStopsTheRunWithAMessage) {
  EngineConfig cfg;
  cfg.history_budget = 8 << 10;  // the demo records about 35 KiB in all
  auto b = test::boot(kCmd, cfg);
  Engine& e = *b.e;
  const StopInfo s = e.cont();
  ASSERT_EQ(s.reason, StopReason::Limit) << "at " << s.icount << ": " << s.message << " (exit " << s.exit_status << ") events " << e.events().size() << " calls " << e.calls().size() << " cursor " << e.cursor() << "\n"
                                         << b.console->text();
  EXPECT_NE(s.message.find("history memory limit ("), std::string::npos) << s.message;
  const uint64_t frontier = e.icount();
  const size_t events = e.events().size();
  EXPECT_LT(events * sizeof(Event), size_t(8) << 20);
  ASSERT_EQ(e.goto_icount(frontier / 2).reason, StopReason::Step);
  EXPECT_EQ(test::first_difference(test::capture(e.machine()), test::bare_state_at(kCmd, frontier / 2)), "identical");
  const StopInfo again = e.cont();  // replays to the frontier, then stops again
  EXPECT_EQ(again.reason, StopReason::Limit);
  EXPECT_GE(e.icount(), frontier);
  EXPECT_EQ(test::first_difference(test::capture(e.machine()), test::bare_state_at(kCmd, e.icount())), "identical");
}

}  // namespace
}  // namespace slot::engine
