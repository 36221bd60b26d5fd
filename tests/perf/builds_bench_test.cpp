// `slotlab bench builds`: the round order, the summary's arithmetic (worked
// out by hand below) and a whole run with two small programs.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "app/bench/builds_bench.h"
#include "app/bench/file_copies.h"

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
Outcome run(const std::vector<std::string>& builds, const std::vector<std::string>& args, unsigned runs,
            unsigned copies = 1) {
  BuildsOptions o;
  o.builds = builds, o.args = args, o.runs = runs, o.copies = copies;
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

// Two builds, three copies: rounds 0-1 run copy 0, rounds 2-3 copy 1, 4-5
// copy 2, then copy 0 again -- each copy sees both orders of the rotation.
TEST(BuildsBench, CopiesTakeTurnsOneRotationEach) {
  const unsigned expect[] = {0, 0, 1, 1, 2, 2, 0, 0};
  for (unsigned r = 0; r < 8; ++r) EXPECT_EQ(copy_of_round(r, 2, 3), expect[r]) << r;
  EXPECT_EQ(copy_of_round(5, 2, 1), 0u);
  // Rounds 0..7 of times 1 2 | 5 3 | 9 7 | 4 6: copy 0 has 1 2 4 6 (median
  // 3), copy 1 5 3 (4), copy 2 9 7 (8).
  const std::vector<double> m = copy_medians({1, 2, 5, 3, 9, 7, 4, 6}, 2, 3);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_DOUBLE_EQ(m[0], 3);
  EXPECT_DOUBLE_EQ(m[1], 4);
  EXPECT_DOUBLE_EQ(m[2], 8);
}

// Copies are new files beside the original, with its bytes and mode, gone
// with the object; one copy is the file itself; a copy that cannot be made
// is an error, not a silent fallback.
TEST(FileCopies, BesideTheFileSameBytesRemovedAfter) {
  char dir[] = "/tmp/slotlab-copies-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::filesystem::path d(dir), prog = d / "prog";
  std::ofstream(prog) << "#!/bin/sh\nexit 0\n";
  std::filesystem::permissions(prog, std::filesystem::perms::owner_all);
  std::vector<std::string> made;
  {
    const FileCopies c({prog.string()}, 3);
    ASSERT_EQ(c.copies(), 3u);
    for (unsigned k = 0; k < 3; ++k) {
      const std::filesystem::path f(c.file(0, k));
      made.push_back(f.string());
      EXPECT_EQ(f.parent_path(), d);
      EXPECT_NE(f, prog);
      std::ifstream in(f);
      EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "#!/bin/sh\nexit 0\n");
      EXPECT_EQ(std::filesystem::status(f).permissions(), std::filesystem::perms::owner_all) << f;
    }
    EXPECT_NE(made[0], made[1]);
    EXPECT_NE(made[1], made[2]);
  }
  for (const std::string& f : made) EXPECT_FALSE(std::filesystem::exists(f)) << f;
  EXPECT_TRUE(std::filesystem::exists(prog));
  EXPECT_EQ(FileCopies({prog.string()}, 1).file(0, 0), prog.string());
  // A later file that cannot be copied takes the earlier copies with it.
  EXPECT_THROW(FileCopies({prog.string(), "/proc/version"}, 2), std::runtime_error);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(d), std::filesystem::directory_iterator()), 1)
      << "copies of prog were left behind";
  std::filesystem::remove_all(d);
  EXPECT_THROW(FileCopies({"/proc/version"}, 2), std::runtime_error);
}

// A whole run with copies: each build runs from three different files beside
// it, two rounds each, and none is left behind.
TEST(BuildsBench, CopiesAreRunAndRemoved) {
  char dir[] = "/tmp/slotlab-builds-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::filesystem::path d(dir), log = d / "ran.log";
  std::vector<std::string> builds;
  for (const char* name : {"a.sh", "b.sh"}) {
    const std::filesystem::path p = d / name;
    std::ofstream(p) << "#!/bin/sh\necho \"$0\" >> " << log.string() << "\n";
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
    builds.push_back(p.string());
  }
  const Outcome r = run(builds, {}, 6, 3);
  EXPECT_EQ(r.code, 0) << r.report;
  EXPECT_NE(r.report.find("each build ran from 3 copies"), std::string::npos) << r.report;
  std::map<std::string, int> runs;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) ++runs[line];
  ASSERT_EQ(runs.size(), 6u);  // 2 builds x 3 copies
  for (const auto& [file, n] : runs) {
    EXPECT_EQ(n, 2) << file;
    EXPECT_EQ(std::filesystem::path(file).parent_path(), d) << file;
    EXPECT_NE(file, builds[0]);
    EXPECT_NE(file, builds[1]);
    EXPECT_FALSE(std::filesystem::exists(file)) << file << " was left behind";
  }
  std::filesystem::remove_all(d);
}

}  // namespace
}  // namespace slot::bench
