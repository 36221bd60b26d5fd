// What the benchmark images print, parsed. The perf kernels (tests/perf)
// print one result line; the guest's bench workload prints one RESULT line
// per configuration and DONE at the end (guest/kernel/bench.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace slot::bench {

// "perf <name> iters=<N> k=<K> loop_insns=<N*K> checksum=<hex>"
struct PerfLine {
  std::string name;
  uint64_t iters = 0, k = 0, loop_insns = 0;
  std::string checksum;
};
// The first well-formed perf line of a transcript, if any. A line whose
// loop_insns is not iters * k is rejected (not well-formed).
std::optional<PerfLine> parse_perf_line(std::string_view transcript);

// The boot-test runtime's verdict line: "summary: <n> checks, <f> failed".
// Returns false if there is none; else sets `failed`.
bool parse_summary(std::string_view transcript, unsigned& failed);

struct GuestBench {
  unsigned results = 0;   // RESULT lines with a ticks_per_call value
  unsigned failures = 0;  // RESULT lines that say FAIL
  bool done = false;      // the DONE line came
};
GuestBench parse_guest_bench(std::string_view transcript);

// Process status of QEMU's isa-debug-exit device after the guest writes
// `value` to it: (value << 1) | 1 (QEMU hw/misc/debugexit.c). Slotlab does
// the same.
inline int debug_exit_status(uint32_t value) { return int(((value << 1) | 1) & 0xFF); }

}  // namespace slot::bench
