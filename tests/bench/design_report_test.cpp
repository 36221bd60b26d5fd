// The per-call arithmetic from annotation marks, crossings, the cost model
// and the splicing of the design-cost section.
#include <gtest/gtest.h>

#include "app/bench/design.h"
#include "app/bench/design_report.h"

namespace slot::bench {
namespace {

Counters at(uint64_t insns, uint64_t walks, uint64_t stale = 0) {
  Counters c;
  c.insns = insns, c.walks = walks, c.stale = stale, c.l1_misses = walks * 2, c.walk_refs = walks * 3;
  return c;
}

TEST(DesignMarks, PerCallIsTheDifferenceOfTwoRuns) {
  // warm-up 2 calls: 1000 insns of fixed overhead + 2 x 300; measured 10 calls: 1000 + 10 x 300.
  std::vector<Mark> marks = {
      {"bench run calls=2", at(0, 0)},  // the boot's warm-up: no point yet, ignored
      {"bench end", at(500, 5)},
      {"bench point size=64 depth=1 ws=16 clients=2 pages=4k", at(600, 5)},
      {"bench run calls=2", at(700, 5)},
      {"bench end", at(700 + 1000 + 2 * 2 * 300, 5 + 10 + 2 * 2 * 4)},
      {"bench run calls=10", at(3000, 40)},
      {"bench end", at(3000 + 1000 + 10 * 2 * 300, 40 + 10 + 10 * 2 * 4)},
      {"bench probe begin", at(20000, 100, 0)},
      {"bench probe end", at(21000, 110, 3)},
  };
  BootResult r;
  ASSERT_TRUE(points_from_marks(marks, r)) << r.error;
  ASSERT_EQ(r.points.size(), 1u);
  const Point& p = r.points[0];
  EXPECT_EQ(p.size, 64u);
  EXPECT_EQ(p.clients, 2u);
  EXPECT_EQ(p.pages, "4k");
  EXPECT_DOUBLE_EQ(p.pc.calls, 16);  // (10 - 2) x 2 clients
  EXPECT_DOUBLE_EQ(p.pc.insns, 300);
  EXPECT_DOUBLE_EQ(p.pc.walks, 4);
  EXPECT_DOUBLE_EQ(p.pc.walk_refs, 12);
  EXPECT_TRUE(r.probe_run);
  EXPECT_EQ(r.probe_stale, 3u);
  mmu::CostConfig c;  // 1 x insns + 9 x L1 misses + 20 x walks + 4 x refs
  EXPECT_DOUBLE_EQ(cycles_per_call(p, c), 300 + 9 * 8 + 20 * 4 + 4 * 12);
}

TEST(DesignMarks, Malformed) {
  BootResult r;
  EXPECT_FALSE(points_from_marks({{"bench point size=x depth=1 ws=1 clients=1 pages=4k", {}}}, r));
  BootResult r2;
  EXPECT_FALSE(points_from_marks({{"bench point size=1 depth=1 ws=1 clients=1 pages=4k", {}},
                                  {"bench run calls=4", {}},
                                  {"bench end", {}}},
                                 r2));  // one run only
}

TEST(DesignReport, Crossing) {
  const std::vector<uint64_t> ws = {1, 2, 4, 8};
  Crossing c = crossing(ws, {10, 20, 40, 80}, {30, 30, 30, 30}, "a", "b");
  ASSERT_TRUE(c.ws.has_value());
  EXPECT_GT(*c.ws, 2);
  EXPECT_LT(*c.ws, 4);
  EXPECT_NE(c.text.find("between 2 and 4 pages"), std::string::npos) << c.text;
  c = crossing(ws, {1, 2, 3, 4}, {5, 6, 7, 8}, "a", "b");
  EXPECT_FALSE(c.ws.has_value());
  EXPECT_NE(c.text.find("a is always cheaper than b"), std::string::npos) << c.text;
}

TEST(DesignReport, SpliceKeepsOtherSections) {
  const std::string begin = kDesignBegin, end = kDesignEnd;
  const std::string doc = "# SlotLab results\n\n<!-- BEGIN emulator-speed -->\nE\n<!-- END emulator-speed -->\n";
  const std::string once = splice_marked(doc, begin, end, begin + "\nA\n" + end + "\n");
  EXPECT_EQ(once.find(doc), 0u);
  const std::string twice = splice_marked(once, begin, end, begin + "\nB\n" + end + "\n");
  EXPECT_EQ(twice.find(doc), 0u);
  EXPECT_EQ(twice.find("\nA\n"), std::string::npos);
  EXPECT_NE(twice.find("\nB\n"), std::string::npos);
  EXPECT_EQ(splice_marked("", begin, end, "S"), "# SlotLab results\n\nS");
}

}  // namespace
}  // namespace slot::bench
