// One recorded benchmark run: every sample as measured, plus the facts that
// make it reproducible (commit, host, QEMU version, the exact command). It is
// the only input of the report (report.h), and it round-trips through a TSV
// file, so a report can be regenerated from a saved run (`--from FILE`).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace slot::bench {

// The machines a workload runs on. Slotlab* run in this process (Machine),
// SlotlabTrace as a `slotlab run --trace ...` subprocess, Qemu as a
// `qemu-system-x86_64 -cpu max` (TCG) subprocess.
// SlotlabBreak: the debugger engine (time travel on, as in `slotlab debug` and
// `slotlab gdbserver`) with one execution breakpoint set that is never hit.
enum class Engine : uint8_t { Qemu, Slotlab, SlotlabNoTlb, SlotlabTrace, SlotlabBreak, Bochs };
inline constexpr Engine kEngines[] = {Engine::Qemu,         Engine::Bochs,        Engine::Slotlab,
                                      Engine::SlotlabNoTlb, Engine::SlotlabBreak, Engine::SlotlabTrace};
const char* engine_name(Engine e);   // "qemu", "slotlab", "slotlab-tlb-none", "slotlab-trace", "slotlab-break", "bochs"
const char* engine_title(Engine e);  // for tables: "QEMU TCG", "slotlab (skylake)", ...
bool parse_engine(const std::string& s, Engine& out);

struct Sample {
  std::string workload;  // Workload::id
  Engine engine = Engine::Qemu;
  unsigned run = 0;          // 0-based repetition
  double wall_s = 0;         // whole run: process start to exit, or Machine construction to exit
  uint64_t icount = 0;       // guest instructions retired (slotlab only; 0 = unknown)
  uint64_t loop_insns = 0;   // perf kernels: iterations x instructions per iteration
  int status = -1;           // exit status (isa-debug-exit: (value << 1) | 1)
  bool ok = false;           // finished and its transcript passed the checks
  std::string checksum;      // perf kernels: the result line's checksum
  std::string note;          // why it is not ok
};

struct Recording {
  std::vector<std::pair<std::string, std::string>> meta;  // ordered key/value facts
  std::vector<Sample> samples;

  const std::string& get(const std::string& key) const;  // "" when absent
  void set(const std::string& key, const std::string& value);
};

// TSV: "meta<TAB>key<TAB>value" and "sample<TAB>fields..." lines, '#' comments.
// Backslash, tab and newline in values are escaped as in C: \\, \t, \n.
std::string to_tsv(const Recording& r);
// Throws std::runtime_error naming the line on malformed input.
Recording from_tsv(const std::string& text);

}  // namespace slot::bench
