// Host profiles of slotlab for the report: `perf record` (cpu-clock, flat,
// self time) where the kernel lets us, callgrind otherwise.
#pragma once
#include <string>
#include <vector>

namespace slot::bench {

struct Profile {
  bool ok = false;
  std::string tool;     // "perf" or "callgrind"
  std::string command;  // what was profiled, as one shell line
  std::string text;     // the top symbols, one per line: " 41.20%  [.] slot::cpu::Cpu::fetch_decode"
  std::string error;
};

// True if `perf record` works here (perf installed, events permitted).
bool perf_works();
// Profiles `argv` (a slotlab command). With perf unavailable, runs it under
// valgrind --tool=callgrind instead (about 50x slower: pass a short run).
Profile profile(const std::vector<std::string>& argv, unsigned top, bool use_perf);

// The symbol lines of `perf report --stdio --no-children --sort symbol`:
// "    41.20%  [.] name    -  -" -> " 41.20%  [.] name", at most `top` of them.
std::string parse_perf_report(const std::string& report, unsigned top);
// The function lines of callgrind_annotate's output, as percentages of the
// total instruction count, at most `top`.
std::string parse_callgrind_annotate(const std::string& report, unsigned top);

}  // namespace slot::bench
