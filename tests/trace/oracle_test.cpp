// The golden kernel's outputs checked against rules that do not come from
// slotlab: check_trace.py parses them with Python's json module and checks
// walk addresses (SDM Vol. 3A §4.5), #PF error codes (§4.7), fills against
// walks, trace events against the independent statistics counters, dump
// geometry, the kernel's own symbols (nm), and the disassembly's mnemonics
// against objdump. Filters are checked by filtering the full trace in Python.
#include <regex>

#include "tests/trace/run_util.h"

namespace trace_test {
namespace {

std::string K() { return std::string(TRACE_KERNEL) + " "; }

// nm and objdump (binutils, not Capstone) of the kernel, once per directory.
void binutils(const std::string& dir) {
  const std::string k64 = TRACE_KERNEL64;
  ASSERT_EQ(std::system((std::string(NM) + " " + k64 + " >" + dir + "/nm.txt").c_str()), 0);
  ASSERT_EQ(std::system((std::string(OBJDUMP) + " -d -M intel " + k64 + " >" + dir + "/od64.txt").c_str()), 0);
  ASSERT_EQ(std::system((std::string(OBJDUMP) + " -d -M intel,i386 " + k64 + " >" + dir + "/od32.txt").c_str()), 0);
}

Result check(const std::string& dir, const std::string& args) {
  return shell(dir, std::string(PYTHON) + " " + CHECKER + " " + args);
}

class Oracle : public testing::TestWithParam<const char*> {};

TEST_P(Oracle, TraceStatsAndDumpFollowTheSdm) {
  const std::string dir = scratch(), tlb = GetParam();
  binutils(dir);
  const std::string common = "--tlb " + tlb + " --trace all --tlb-stale=detect ";
  ASSERT_EQ(slotlab(dir, K() + common + "--trace-out " + dir + "/t.jsonl --stats-json " + dir +
                             "/s.json --tlb-dump-at 31 --tlb-dump " + dir + "/d.json").status,
            kKernelExit);
  ASSERT_EQ(slotlab(dir, K() + common + "--trace-out " + dir + "/t.txt").status, kKernelExit);
  const Result r = check(dir, "run --jsonl " + dir + "/t.jsonl --text " + dir + "/t.txt --stats " + dir +
                                  "/s.json --dump " + dir + "/d.json --nm " + dir + "/nm.txt --objdump " + dir +
                                  "/od64.txt --objdump32 " + dir + "/od32.txt");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Presets, Oracle, testing::Values("skylake", "icelake", "tiny"));

struct FilterCase {
  const char* name;
  const char* cats;     // --trace
  const char* slotlab;  // filter options for slotlab
  const char* python;   // the same filter for check_trace.py
};

const FilterCase kFilters[] = {
    {"icount_and_slots", "all", "--trace-icount 30-45 --trace-slot 1-2", "--icount 30-45 --slots 1-2"},
    {"pcid_and_va", "all", "--trace-pcid 1 --trace-va 0x8000000000-0x8000000fff",
     "--pcid 1 --va 0x8000000000-0x8000000fff"},
    {"cr3_and_window", "all", "--trace-cr3 0x101000 --trace-icount 0-20", "--cr3 0x101000 --icount 0-20"},
    {"slot0_one_insn", "all", "--trace-slot 0 --trace-icount 40-40", "--slots 0 --icount 40-40"},
    {"categories", "walk,pf,invlpg", "", "--types walk,pf,invlpg"},
    {"open_window", "all", "--trace-icount 50-", "--icount 50-18446744073709551615"},
};

class Filters : public testing::TestWithParam<FilterCase> {};

// A filtered trace is exactly the full trace with the filter applied --
// including icount windows, where slotlab attaches its observers only
// inside the window (which must not change what the MMU does).
TEST_P(Filters, SelectExactlyWhatTheyName) {
  const FilterCase& c = GetParam();
  const std::string dir = scratch();
  ASSERT_EQ(slotlab(dir, K() + "--trace all --trace-out " + dir + "/full.jsonl").status, kKernelExit);
  ASSERT_EQ(slotlab(dir, K() + "--trace " + c.cats + " " + c.slotlab + " --trace-out " + dir + "/f.jsonl").status,
            kKernelExit);
  const Result r = check(dir, "filter --full " + dir + "/full.jsonl --filtered " + dir + "/f.jsonl " + c.python);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(Kernel, Filters, testing::ValuesIn(kFilters),
                         [](const testing::TestParamInfo<FilterCase>& i) { return std::string(i.param.name); });

// --trace-max-bytes: the trace is a prefix of the full one, no longer than
// the cap, ends with a trailer saying so; one line on stderr; the run goes on.
TEST(TraceCap, TruncatesCleanlyAndTheRunContinues) {
  const std::string dir = scratch();
  ASSERT_EQ(slotlab(dir, K() + "--trace all --trace-out " + dir + "/full.txt").status, kKernelExit);
  const Result r = slotlab(dir, K() + "--trace all --trace-max-bytes 3000 --trace-out " + dir + "/cap.txt");
  ASSERT_EQ(r.status, kKernelExit);
  const std::string full = read_file(dir + "/full.txt"), cap = read_file(dir + "/cap.txt");
  const size_t trailer = cap.rfind("# end ");
  ASSERT_NE(trailer, std::string::npos);
  EXPECT_LE(trailer, 3000u);
  EXPECT_EQ(full.compare(0, trailer, cap, 0, trailer), 0) << "the capped trace is a prefix of the full trace";
  EXPECT_NE(cap.find("truncated: --trace-max-bytes 3000 reached", trailer), std::string::npos) << cap.substr(trailer);
  EXPECT_NE(cap.find("# end icount=62 "), std::string::npos) << "the run went on to the kernel's exit";
  // One line about the cap, one saying what was written (issue 16), nothing else.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;
  EXPECT_NE(r.err.find("--trace-max-bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("slotlab: wrote " + dir + "/cap.txt ("), std::string::npos) << r.err;
}

// --tlb-dump-at: the run stops at each N (after N instructions), a point
// equal to the last instruction count is dumped too, a later one is named
// as not reached; the JSON document parses.
TEST(TlbDump, AtEachPointAndAtExit) {
  const std::string dir = scratch();
  const Result r = slotlab(dir, K() + "--tlb-dump-at 1000 --tlb-dump-at 0,31 --tlb-dump-at 62 --tlb-dump " + dir +
                                      "/d.json");
  ASSERT_EQ(r.status, kKernelExit) << r.err;
  EXPECT_NE(r.err.find("--tlb-dump-at 1000 not reached"), std::string::npos) << r.err;
  const std::string d = read_file(dir + "/d.json");
  std::regex head(R"re(\{"icount":([0-9]+),"when":"([a-z]+)")re");
  std::string seen;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), head); it != std::sregex_iterator(); ++it)
    seen += (*it)[1].str() + ":" + (*it)[2].str() + " ";
  EXPECT_EQ(seen, "0:at 31:at 62:at 62:exit ");
  const Result p = shell(dir, std::string(PYTHON) + " -c 'import json,sys; d=json.load(open(sys.argv[1]));"
                                                    "assert all(not a[\"entries\"] for a in d[\"dumps\"][0][\"arrays\"])' " +
                                  dir + "/d.json");
  EXPECT_EQ(p.status, 0) << "JSON, and nothing cached before the first instruction: " << p.err;
}

// An observed run models exactly what an unobserved one does.
TEST(Observation, DoesNotChangeTheModel) {
  const std::string dir = scratch();
  for (const char* t : {"", "--trace all --trace-out /dev/null"})
    ASSERT_EQ(slotlab(dir, K() + "--tlb tiny --stats-json " + dir + (*t ? "/b.json " : "/a.json ") + t).status,
              kKernelExit);
  const std::regex host(R"re("(host_seconds|host_mips|observed)":[a-z0-9.e+-]+)re");
  EXPECT_EQ(std::regex_replace(read_file(dir + "/a.json"), host, ""),
            std::regex_replace(read_file(dir + "/b.json"), host, ""));
}

}  // namespace
}  // namespace trace_test
