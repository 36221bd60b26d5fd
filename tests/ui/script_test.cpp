// Scripted sessions (ui/model/script.h): the parser's errors, and the lab 2
// story end to end -- run to the stale use, back to the call, continue, stop
// at the stale use again at the same instruction. Oracles the script does not
// produce: a fresh engine run with --until event:stale (the first stale use),
// the call log's enter icount for the landing point, and the engine's task
// stacks for the call number.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "emu/engine/point_spec.h"
#include "tests/ui/guest_fixture.h"
#include "ui/model/script.h"
#include "ui/model/session.h"

namespace slot::ui::test {
namespace {

struct StopLine {
  std::string reason, task, module, call;
  uint64_t icount = 0;
};
// "stop <reason> icount=<n> call=<k> task=<name> module=<name>[  # message]"
StopLine parse_line(const std::string& l) {
  std::istringstream in(l);
  std::string word, icount, call, task, module;
  StopLine s;
  in >> word >> s.reason >> icount >> call >> task >> module;
  auto field = [&](const std::string& f, const char* key, std::string& out) {
    const std::string k = std::string(key) + "=";
    if (f.rfind(k, 0) != 0) return false;
    out = f.substr(k.size());
    return !out.empty();
  };
  std::string n;
  const bool ok = word == "stop" && field(icount, "icount", n) && n.find_first_not_of("0123456789") == std::string::npos &&
                  field(call, "call", s.call) && field(task, "task", s.task) && field(module, "module", s.module);
  EXPECT_TRUE(ok) << "not a stop line: " << l;
  if (ok) s.icount = std::stoull(n);
  return s;
}

std::vector<std::string> run(GuestRun& g, const std::string& text) {
  std::vector<ScriptCommand> cmds;
  const std::string perr = parse_script(text, "t.slab", cmds);
  EXPECT_EQ(perr, "");
  std::vector<std::string> out;
  for (const ScriptCommand& c : cmds) {
    std::string err;
    const std::string l = run_engine_command(*g.e, c, err);
    EXPECT_EQ(err, "") << "line " << c.line;
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

TEST(Script, ParseErrorsNameFileAndLine) {
  std::vector<ScriptCommand> c;
  EXPECT_EQ(parse_script("step\n\n# note\nfrobnicate 3\n", "x.slab", c).rfind("x.slab:4: unknown command 'frobnicate'", 0),
            0u);
  EXPECT_NE(parse_script("step 0\n", "x", c), "");
  EXPECT_NE(parse_script("step -5\n", "x", c), "");
  EXPECT_NE(parse_script("goto\n", "x", c), "");
  EXPECT_NE(parse_script("finish now\n", "x", c), "");
  EXPECT_NE(parse_script("present maybe\n", "x", c), "");
  ASSERT_EQ(parse_script("  Next-Call 3  \nselect task app\ncontinue\nscreenshot a.png slots\n", "x", c), "");
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].verb, ScriptVerb::NextCall);
  EXPECT_EQ(c[0].count, 3u);
  EXPECT_EQ(c[0].line, 1);
  EXPECT_EQ(c[1].arg, "app");
  EXPECT_EQ(c[2].count, 0u);   // continue without a bound
  EXPECT_EQ(c[3].arg, "a.png slots");
}

TEST(Script, Lab2StaleStopAgainAfterGoingBack) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  const char* cmdline = "workload=attacks flush=none";
  GuestRun oracle(cmdline);
  oracle.until("event:stale");
  const uint64_t stale_at = oracle.e->icount();

  GuestRun g(cmdline);
  const auto lines = run(g, "break event:stale\ncontinue\nback-to-call\ncontinue\n");
  ASSERT_EQ(lines.size(), 3u);
  const StopLine a = parse_line(lines[0]), b = parse_line(lines[1]), c = parse_line(lines[2]);
  EXPECT_EQ(a.reason, "stale");
  EXPECT_EQ(a.icount, stale_at);
  EXPECT_EQ(b.reason, "call");
  EXPECT_LT(b.icount, a.icount);
  EXPECT_EQ(c.reason, "stale");
  EXPECT_EQ(c.icount, a.icount);
  EXPECT_EQ(c.task, a.task);
  EXPECT_EQ(c.module, "evil");
  // The call back-to-call went to: the latest call entered before the stale
  // use, landed on as every control lands (engine::landing_icount).
  const auto& calls = g.e->calls();
  const engine::CallRecord* last = nullptr;
  for (const auto& k : calls)
    if (k.enter_icount < a.icount) last = &k;
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(b.icount, engine::landing_icount(engine::EventKind::Call, last->enter_icount));
  EXPECT_EQ(b.call, std::to_string(engine::call_number(last->index)));
  // And at the stale use the running task is inside that call.
  EXPECT_EQ(a.call, b.call);
}

TEST(Script, StepsCountAndReverseReturns) {
  if (!guest_image_exists()) GTEST_SKIP() << "no guest image";
  GuestRun g;
  const auto lines = run(g, "next-call 2\nstep 10\nreverse-step 10\ngoto 5\n");
  ASSERT_EQ(lines.size(), 4u);
  const StopLine a = parse_line(lines[0]), s = parse_line(lines[1]), r = parse_line(lines[2]),
                 go = parse_line(lines[3]);
  ASSERT_GE(g.e->calls().size(), 2u);
  EXPECT_EQ(a.icount, engine::landing_icount(engine::EventKind::Call, g.e->calls()[1].enter_icount));
  EXPECT_EQ(a.call, "2");
  EXPECT_EQ(s.icount, a.icount + 10);
  EXPECT_EQ(r.icount, a.icount);
  EXPECT_EQ(go.reason, "goto");
  EXPECT_EQ(go.icount, 5u);
  EXPECT_EQ(go.call, "-");   // no call is open five instructions after reset
}

}  // namespace
}  // namespace slot::ui::test
