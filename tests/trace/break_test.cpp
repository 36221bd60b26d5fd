// `slotlab trace --break`: every arrival at a stop point is reported and
// counted, the run goes on. Oracles: the golden kernel's own code (read with
// nm and objdump): its only page fault is the load at step 7, which therefore
// starts twice (faults, then restarts after pf_handler maps the page), and
// pf_handler runs once.
#include <regex>

#include "tests/trace/run_util.h"

namespace {

using trace_test::Result;

// The address objdump prints for the first instruction whose text contains
// `needle`, or for the symbol `<needle>:`; 0 if absent.
uint64_t objdump_addr(const std::string& dir, const std::string& needle) {
  const std::string path = dir + "/od.txt";
  if (std::system((std::string(OBJDUMP) + " -d -M att " + TRACE_KERNEL64 + " >" + path).c_str()) != 0) return 0;
  std::istringstream in(trace_test::read_file(path));
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) == std::string::npos) continue;
    return std::stoull(line.substr(0, line.find_first_of(":< ", line.find_first_not_of(' '))), nullptr, 16);
  }
  return 0;
}

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "%llx", (unsigned long long)v);
  return b;
}

TEST(TraceBreak, EveryArrivalIsReportedAndCounted) {
  const std::string dir = trace_test::scratch();
  const uint64_t load = objdump_addr(dir, "(%rdi),%r8");
  const uint64_t handler = objdump_addr(dir, "<pf_handler>:");
  ASSERT_NE(load, 0u);
  ASSERT_NE(handler, 0u);
  const Result r = trace_test::shell(dir, std::string(SLOTLAB_BIN) + " trace " + TRACE_KERNEL + " --break addr:" +
                                              hex(load) + " --break addr:0x" + hex(handler));
  EXPECT_EQ(r.status, trace_test::kKernelExit) << r.err;
  EXPECT_NE(r.err.find("--break addr:" + hex(load) + ": 2 hits\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--break addr:0x" + hex(handler) + ": 1 hit\n"), std::string::npos) << r.err;
  // Each hit line names the address it stopped at.
  const std::regex hit("hit ([0-9]+) at instruction ([0-9]+), RIP=0x([0-9a-f]+)");
  unsigned lines = 0;
  uint64_t last_icount = 0;
  for (std::sregex_iterator it(r.err.begin(), r.err.end(), hit), end; it != end; ++it, ++lines) {
    const uint64_t rip = std::stoull((*it)[3].str(), nullptr, 16);
    EXPECT_TRUE(rip == load || rip == handler) << (*it)[0];
    const uint64_t icount = std::stoull((*it)[2].str());
    EXPECT_GT(icount, last_icount);
    last_icount = icount;
  }
  EXPECT_EQ(lines, 3u) << r.err;
}

TEST(TraceBreak, BadSpecIsOneLineAndExit2) {
  const std::string dir = trace_test::scratch();
  for (const char* spec : {"addr:zz", "sym:no_such_symbol", "event:nosuch", "bogus"}) {
    const Result r = trace_test::shell(dir, std::string(SLOTLAB_BIN) + " trace " + TRACE_KERNEL + " --break " + spec);
    EXPECT_EQ(r.status, 2) << spec;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(spec), std::string::npos) << r.err;
  }
}

}  // namespace
