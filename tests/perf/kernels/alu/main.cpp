// perf_alu: the integer ALU loop (loop.S) under paging (the runtime's 2 MiB
// identity map). Command line: iters=N (default 1,000,000).
#include "tests/boot/rt/rt.h"
#include "tests/perf/common/perf.h"

extern "C" {
extern const char rt_kernel_name[] = "perf_alu";
uint64_t perf_alu_run(uint64_t iters, uint64_t seed);
extern const uint64_t perf_alu_k;

void kmain() {
  const uint64_t iters = perf_arg("iters", 1000000);
  perf_report("alu", iters, perf_alu_k, perf_alu_run(iters, 0x0123456789ABCDEFull));
}
}
