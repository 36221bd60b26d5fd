// `slotlab bench builds`: the round order, the summary's arithmetic (worked
// out by hand below) and a whole run with two small programs.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "app/bench/builds_bench.h"

namespace slot::bench {
namespace {

TEST(BuildsBench, EachRoundRunsEveryBuildAndEachLeadsInTurn) {
  for (unsigned n : {2u, 3u, 5u}) {
    std::vector<unsigned> leads(n, 0);
    for (unsigned r = 0; r < 2 * n; ++r) {
      std::vector<unsigned> o = round_order(n, r);
      ASSERT_EQ(o.size(), n);
      ++leads[o[0]];
      std::sort(o.begin(), o.end());
      for (unsigned i = 0; i < n; ++i) EXPECT_EQ(o[i], i) << n << " builds, round " << r;
    }
    for (unsigned b = 0; b < n; ++b) EXPECT_EQ(leads[b], 2u) << n << " builds, build " << b;
  }
}

// A: 1.0 2.0 1.2 -> median 1.2; B: 1.1 2.4 1.2 -> median 1.2, ratio of
// medians 1.0; per-round ratios B/A 1.1 1.2 1.0 -> median 1.1 (the host's
// slow round 2 counts once, as a ratio, not as a time).
TEST(BuildsBench, SummaryMediansAndRatios) {
  const std::vector<BuildSummary> s = summarize({"a", "b"}, {{1.0, 2.0, 1.2}, {1.1, 2.4, 1.2}});
  ASSERT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(s[0].median, 1.2);
  EXPECT_DOUBLE_EQ(s[0].ratio_of_medians, 1.0);
  EXPECT_DOUBLE_EQ(s[0].median_ratio, 1.0);
  EXPECT_DOUBLE_EQ(s[1].median, 1.2);
  EXPECT_DOUBLE_EQ(s[1].min, 1.1);
  EXPECT_DOUBLE_EQ(s[1].max, 2.4);
  EXPECT_DOUBLE_EQ(s[1].ratio_of_medians, 1.0);
  EXPECT_NEAR(s[1].median_ratio, 1.1, 1e-12);
  EXPECT_THROW(summarize({"a"}, {{1.0}, {2.0}}), std::invalid_argument);
}

// Runs `builds` with `args` for `runs` rounds; the report and the exit code.
struct Outcome {
  int code;
  std::string report;
};
Outcome run(const std::vector<std::string>& builds, const std::vector<std::string>& args, unsigned runs) {
  BuildsOptions o;
  o.builds = builds, o.args = args, o.runs = runs;
  testing::internal::CaptureStdout();
  const int code = run_builds_bench(o);
  return {code, testing::internal::GetCapturedStdout()};
}

TEST(BuildsBench, AWholeRunReportsEveryBuild) {
  const Outcome r = run({"/bin/sh", "/bin/sh"}, {"-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done"}, 3);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.report.find("2 builds x 3 rounds"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("command line: -c 'i=0; while"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("| /bin/sh | "), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("load average "), std::string::npos) << r.report;
  EXPECT_EQ(r.report.find("note:"), std::string::npos) << r.report;
}

// Builds that end the command differently are not comparable: exit 1, and
// the report says how each ended.
TEST(BuildsBench, DifferentExitStatusesAreReported) {
  EXPECT_EQ(run({"/bin/sh", "/bin/sh"}, {"-c", "exit 0"}, 2).code, 0);
  const Outcome r = run({"/bin/true", "/bin/false"}, {"x"}, 2);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.report.find("note: /bin/false exited with 1 (2x)"), std::string::npos) << r.report;
  EXPECT_NE(r.report.find("note: /bin/true exited with 0 (2x)"), std::string::npos) << r.report;
  BuildsOptions one;
  one.builds = {"/bin/true"}, one.args = {"x"};
  EXPECT_THROW(run_builds_bench(one), std::invalid_argument);
}

}  // namespace
}  // namespace slot::bench
