// perf_tlb: the TLB-thrashing loop (loop.S) over `pages` 4 KiB pages
// (default 4096 = 16 MiB), mapped at PML4 slot 1 onto physical memory at
// 64 MiB, filled with a fixed pattern. Command line: iters=N (default
// 1,000,000), pages=P (a power of two, at most 4096: the page-table pool of
// the runtime holds 8 page tables plus the upper levels).
#include "tests/boot/rt/rt.h"
#include "tests/perf/common/perf.h"

extern "C" {
extern const char rt_kernel_name[] = "perf_tlb";
uint64_t perf_tlb_run(uint64_t iters, uint64_t base, uint64_t mask);
extern const uint64_t perf_tlb_k;

void kmain() {
  const uint64_t iters = perf_arg("iters", 1000000);
  const uint64_t pages = perf_arg("pages", 4096);
  if (pages == 0 || (pages & (pages - 1)) || pages > 4096) {
    rt_fail("pages=%lu: want a power of two up to 4096", pages);
    return;
  }
  const uint64_t base = perf_map_pages(pages, 64ull << 20);
  auto* q = (volatile uint64_t*)base;
  for (uint64_t i = 0; i < pages * 512; i += 8) q[i] = i * 0x9E3779B97F4A7C15ull;
  perf_report("tlb", iters, perf_tlb_k, perf_tlb_run(iters, base, pages * 4096 - 1));
}
}
