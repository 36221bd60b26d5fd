// The exports. The Chrome trace is parsed by Python's json module and its
// slice nesting is checked against a call log taken independently: execution
// breakpoints on the guest kernel's annotate_call / annotate_return and their
// register arguments (check_chrome_trace.py says exactly what is checked).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "emu/engine/export.h"
#include "tests/engine/guest_fixture.h"

namespace slot::engine {
namespace {

constexpr const char* kCmd = "workload=demo";

std::string kernel_call_log() {
  auto b = test::boot(kCmd, [] { EngineConfig c; c.time_travel = false; return c; }());
  Engine& e = *b.e;
  const int call = e.add_symbol_breakpoint("annotate_call");
  const int ret = e.add_symbol_breakpoint("annotate_return");
  std::string log;
  for (;;) {
    const StopInfo s = e.cont();
    if (s.reason != StopReason::Point) break;
    const auto& r = e.machine().cpu().s.gpr;
    char line[96];
    // annotate_call(task, caller, callee, op, depth, ...): RDI, RSI, RDX, RCX, R8
    // annotate_return(task, status, depth, callee, caller): RDI, RSI, RDX, ...
    std::snprintf(line, sizeof line, "%s %llu %llu %llu\n", s.point == call ? "call" : "ret",
                  (unsigned long long)uint32_t(r[cpu::RDI]),
                  (unsigned long long)uint32_t(s.point == call ? r[cpu::R8] : r[cpu::RDX]),
                  (unsigned long long)s.icount);
    log += line;
    EXPECT_TRUE(s.point == call || s.point == ret);
  }
  return log;
}

TEST(Export, ChromeTraceNestsLikeTheKernelsOwnCalls) {
  const std::string dir = ::testing::TempDir();
  const std::string trace = dir + "/engine_trace.json", log = dir + "/engine_calls.txt",
                    jsonl = dir + "/engine_events.jsonl";
  std::ofstream(log) << kernel_call_log();

  auto b = test::boot(kCmd);
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  ASSERT_GT(e.calls().size(), 10u);
  std::FILE* f = std::fopen(trace.c_str(), "w");
  write_chrome_trace(e, f);
  std::fclose(f);
  f = std::fopen(jsonl.c_str(), "w");
  write_events_jsonl(e, f);
  std::fclose(f);

  const std::string cmd = "python3 " SLOTLAB_SOURCE_DIR "/tests/engine/check_chrome_trace.py " + trace + " " + log +
                          " " + jsonl;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(Export, CallTreeHasOneLinePerCall) {
  auto b = test::boot(kCmd);
  Engine& e = *b.e;
  ASSERT_EQ(e.cont().reason, StopReason::GuestExit);
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  write_call_tree(e, f);
  std::fclose(f);
  const std::string text(buf, len);
  std::free(buf);
  size_t lines = 0, arrows = 0;
  for (size_t p = 0; (p = text.find('\n', p)) != std::string::npos; ++p) ++lines;
  for (size_t p = 0; (p = text.find(" -> ", p)) != std::string::npos; ++p) ++arrows;
  EXPECT_EQ(arrows, e.calls().size() + 1);  // + the header's "caller -> callee"
  EXPECT_EQ(lines, e.calls().size() + 4);
  EXPECT_NE(text.find("app -> fs"), std::string::npos);
  EXPECT_NE(text.find("  fs -> blk"), std::string::npos);  // nested one level
}

}  // namespace
}  // namespace slot::engine
