// Golden traces: the golden kernel (kernel/trace_kernel.S) is deterministic
// -- time is the instruction count -- so its traces, dumps and statistics
// are compared byte for byte with the files in golden/. Only host time and
// host speed are masked: nothing else may differ between runs or machines.
// The goldens were reviewed against the kernel's steps by hand, and
// oracle_test.cpp checks the same outputs against rules from the SDM.
// Regenerate: SLOTLAB_UPDATE_GOLDENS=1 (then review the diff).
#include <regex>

#include "tests/trace/run_util.h"

namespace trace_test {
namespace {

struct Case {
  const char* golden;   // file in golden/
  const char* args;     // {out} = the output file
  bool from_stderr;     // the golden is standard error (--stats)
};

const Case kCases[] = {
    {"all.detect.txt", "--trace all --tlb-stale=detect --trace-out {out}", false},
    {"all.detect.jsonl", "--trace all --tlb-stale=detect --trace-out {out}", false},
    {"filtered.jsonl",
     "--trace walk,pf,stale,invlpg,cr3 --trace-slot 1,2 --trace-icount 29-58 --tlb-stale=detect --trace-out {out}",
     false},
    {"pcid1.txt", "--trace tlb,cr3 --trace-pcid 1 --trace-out {out}", false},
    {"tiny.tlb.jsonl", "--tlb tiny --trace tlb --trace-out {out}", false},
    {"tiny.dump.txt", "--tlb tiny --tlb-dump-at 31,58 --tlb-dump {out}", false},
    {"dump.json", "--tlb-dump-at 31 --tlb-dump {out}", false},
    {"stats.detect.json", "--tlb-stale=detect --stats-json {out}", false},
    {"stats.detect.txt", "--tlb-stale=detect --stats", true},
};

// Host time and speed are the only nondeterministic fields.
std::string mask(const std::string& s) {
  static const std::regex json(R"re("(host_seconds|host_mips)":[0-9.e+-]+)re");
  static const std::regex text(R"re(host time [0-9.]+ s   host speed [0-9.]+ MIPS)re");
  return std::regex_replace(std::regex_replace(s, json, "\"$1\":\"masked\""), text, "host time X s   host speed X MIPS");
}

std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string l1, l2;
  for (int n = 1;; ++n) {
    const bool g1 = bool(std::getline(x, l1)), g2 = bool(std::getline(y, l2));
    if (!g1 && !g2) return "identical";
    if (l1 != l2 || g1 != g2)
      return "line " + std::to_string(n) + ":\n  golden: " + (g1 ? l1 : "<end>") + "\n  actual: " + (g2 ? l2 : "<end>");
  }
}

class Golden : public testing::TestWithParam<Case> {};

TEST_P(Golden, MatchesByteForByte) {
  const Case& c = GetParam();
  const std::string dir = scratch();
  const std::string out = dir + "/" + c.golden;
  std::string args = c.args;
  if (size_t p = args.find("{out}"); p != std::string::npos) args.replace(p, 5, out);
  const Result r = slotlab(dir, std::string(TRACE_KERNEL) + " " + args);
  ASSERT_EQ(r.status, kKernelExit) << r.err;
  const std::string actual = mask(c.from_stderr ? r.err : read_file(out));
  ASSERT_FALSE(actual.empty());
  const std::string golden_path = std::string(GOLDEN_DIR) + "/" + c.golden;
  if (std::getenv("SLOTLAB_UPDATE_GOLDENS")) {
    write_file(golden_path, actual);
    GTEST_SKIP() << "wrote " << golden_path;
  }
  const std::string golden = read_file(golden_path);
  ASSERT_FALSE(golden.empty()) << "missing " << golden_path;
  EXPECT_TRUE(golden == actual) << c.golden << " differs from the golden at " << first_difference(golden, actual);
}

INSTANTIATE_TEST_SUITE_P(Kernel, Golden, testing::ValuesIn(kCases), [](const testing::TestParamInfo<Case>& i) {
  std::string n = i.param.golden;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
});

// Two runs of the same command give the same bytes (no masking at all).
TEST(GoldenRuns, AreReproducible) {
  const std::string dir = scratch();
  for (const char* f : {"/a.jsonl", "/b.jsonl"})
    ASSERT_EQ(slotlab(dir, std::string(TRACE_KERNEL) + " --trace all --tlb tiny --trace-out " + dir + f).status,
              kKernelExit);
  EXPECT_EQ(read_file(dir + "/a.jsonl"), read_file(dir + "/b.jsonl"));
}

}  // namespace
}  // namespace trace_test
