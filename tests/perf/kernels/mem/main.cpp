// perf_mem: the load/store loop (loop.S) over `pages` 4 KiB pages (default
// 16 = 64 KiB: fits the smallest L1 DTLB we model and QEMU's TLB), mapped at
// PML4 slot 1 onto physical memory at 32 MiB, filled with a fixed pattern.
// Command line: iters=N (default 1,000,000), pages=P (a power of two).
#include "tests/boot/rt/rt.h"
#include "tests/perf/common/perf.h"

extern "C" {
extern const char rt_kernel_name[] = "perf_mem";
uint64_t perf_mem_run(uint64_t iters, uint64_t base, uint64_t mask);
extern const uint64_t perf_mem_k;

void kmain() {
  const uint64_t iters = perf_arg("iters", 1000000);
  const uint64_t pages = perf_arg("pages", 16);
  if (pages == 0 || (pages & (pages - 1)) || pages > 4096) {
    rt_fail("pages=%lu: want a power of two up to 4096", pages);
    return;
  }
  const uint64_t base = perf_map_pages(pages, 32ull << 20);
  auto* q = (volatile uint64_t*)base;
  for (uint64_t i = 0; i < pages * 512; i++) q[i] = i * 0x9E3779B97F4A7C15ull;
  perf_report("mem", iters, perf_mem_k, perf_mem_run(iters, base, pages * 4096 - 1));
}
}
