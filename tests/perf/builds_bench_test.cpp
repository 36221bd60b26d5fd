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

TEST(BuildsBench, AWholeRunReportsEveryBuild) {
  BuildsOptions o;
  o.builds = {"/bin/sh", "/bin/sh"};
  o.args = {"-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done"};
  o.runs = 3;
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_builds_bench(o), 0);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("2 builds x 3 rounds"), std::string::npos) << out;
  EXPECT_NE(out.find("command line: -c 'i=0; while"), std::string::npos) << out;
  EXPECT_NE(out.find("| /bin/sh | "), std::string::npos) << out;
  EXPECT_NE(out.find("load average "), std::string::npos) << out;
  EXPECT_EQ(out.find("note:"), std::string::npos) << out;
}

// Builds that end the command differently are not comparable: exit 1, and
// the report says how each ended.
TEST(BuildsBench, DifferentExitStatusesAreReported) {
  BuildsOptions o;
  o.builds = {"/bin/sh", "/bin/sh"};
  o.args = {"-c", "exit 0"};
  o.runs = 2;
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_builds_bench(o), 0);
  testing::internal::GetCapturedStdout();
  o.builds = {"/bin/true", "/bin/false"};
  o.args = {"x"};
  testing::internal::CaptureStdout();
  EXPECT_EQ(run_builds_bench(o), 1);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("note: /bin/false exited with 1 (2x)"), std::string::npos) << out;
  EXPECT_NE(out.find("note: /bin/true exited with 0 (2x)"), std::string::npos) << out;
  o.builds = {"/bin/true"};
  EXPECT_THROW(run_builds_bench(o), std::invalid_argument);
}

}  // namespace
}  // namespace slot::bench
