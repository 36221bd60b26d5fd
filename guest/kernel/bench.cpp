// workload=bench: the configured mode and flush variant, swept over buffer
// size, call depth and the callee's working set. Only the ticks_per_call
// field depends on time (RDTSC: instruction count under slotlab, real time
// under QEMU).
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/annotate.h"
#include "guest/kernel/config.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/workload.h"

int run_bench() {
  constexpr uint64_t kSizes[] = {0, 64, 4096, 65536};
  constexpr uint64_t kWs[] = {1, 16, 128, 512};
  constexpr uint64_t kCalls = 64;
  int failures = 0;
  for (uint64_t size : kSizes)
    for (uint64_t depth = 1; depth <= 3; ++depth)
      for (uint64_t ws : kWs) {
        annotate_mark("bench");
        run_task("bench-warm", abi::M_APP, abi::APP_BENCH, abi::bench_arg(size, depth, ws, 2));
        int64_t ticks = run_task("bench", abi::M_APP, abi::APP_BENCH, abi::bench_arg(size, depth, ws, kCalls));
        if (ticks < 0) {
          kprintf("RESULT mode=%s flush=%s size=%lu depth=%lu ws=%lu calls=%lu FAIL %ld\n", mode_name(g_cfg.mode),
                  flush_name(g_cfg.flush), size, depth, ws, kCalls, ticks);
          ++failures;
          continue;
        }
        kprintf("RESULT mode=%s flush=%s size=%lu depth=%lu ws=%lu calls=%lu ticks_per_call=%lu\n",
                mode_name(g_cfg.mode), flush_name(g_cfg.flush), size, depth, ws, kCalls, (uint64_t)ticks / kCalls);
      }
  return failures ? 1 : 0;
}
