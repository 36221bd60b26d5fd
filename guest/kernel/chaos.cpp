// workload=chaos seed=S (docs/reliability.md): the chaos module runs random
// code and random cross-module calls with random arguments while two demo
// clients do their usual work beside it. The kernel must survive, the
// clients must produce exactly the demo's results, and every fault the
// kernel took in ring 3 is counted:
//   CHAOS seed=<s> calls=<n> faults=<f> kernel=alive
#include "guest/include/disk.h"
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/config.h"
#include "guest/kernel/fault.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/task.h"
#include "guest/kernel/workload.h"

namespace {
// seed=N from the command line (decimal; default 1).
uint64_t seed_option() {
  const char* s = g_cfg.cmdline;
  while (s && *s) {
    while (*s == ' ') ++s;
    if (s[0] == 's' && s[1] == 'e' && s[2] == 'e' && s[3] == 'd' && s[4] == '=') {
      uint64_t v = 0;
      for (s += 5; *s >= '0' && *s <= '9'; ++s) v = v * 10 + (uint64_t)(*s - '0');
      return v;
    }
    while (*s && *s != ' ') ++s;
  }
  return 1;
}
}  // namespace

int run_chaos() {
  const uint64_t seed = seed_option();
  if (g_cfg.mode != Mode::ModArea) {
    kprintf("CHAOS needs mode=modarea (a fault in a monolithic module is a kernel fault)\n");
    return 2;
  }
  const uint64_t faults_before = g_last_fault.count;
  kprintf("CHAOS start seed=%lu\n", seed);
  Task* a = task_create("client-a", abi::M_APP, abi::APP_DEMO, 0);
  Task* c = task_create("chaos", abi::M_CHAOS, abi::CHAOS_RUN, seed);
  Task* b = task_create("client-b", abi::M_APP, abi::APP_DEMO, 1);
  task_wait(a);
  task_wait(c);
  task_wait(b);
  const int64_t ra = a->exit_value, rb = b->exit_value, rc = c->exit_value;
  a->state = b->state = c->state = TaskState::Free;
  const int64_t flushed = run_task("flush", abi::M_APP, abi::APP_SELF, abi::ST_FLUSH);
  const bool clients_ok = ra == (int64_t)(sizeof disk::kMotd - 1) && rb == (int64_t)(sizeof disk::kLorem - 1) &&
                          flushed == ra + rb;
  const uint64_t faults = g_last_fault.count - faults_before;
  const uint64_t calls = rc < 0 ? 0 : (uint64_t)rc & 0xFFFFFFFF, fault_returns = rc < 0 ? 0 : (uint64_t)rc >> 32;
  // Every E_FAULT the chaos task saw comes from at least one fault the kernel took.
  const bool accounted = rc >= 0 && fault_returns <= faults && faults > 0;
  kprintf("CHAOS clients %s (bytes %ld + %ld, console %ld); chaos task %s, fault returns %lu\n",
          clients_ok ? "ok" : "FAIL", ra, rb, flushed, rc >= 0 ? "finished" : "ENDED BY A FAULT", fault_returns);
  kprintf("CHAOS seed=%lu calls=%lu faults=%lu kernel=alive\n", seed, calls, faults);
  return clients_ok && accounted ? 0 : 1;
}
