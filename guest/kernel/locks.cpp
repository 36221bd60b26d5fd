#include "guest/kernel/locks.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/callstack.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/task.h"

namespace {
ModuleLock g_locks[layout::MAX_MODULES][LOCKS_PER_MODULE];
}

int64_t locks_acquire(Task* t, uint32_t module, uint32_t n) {
  if (module >= layout::MAX_MODULES || n >= LOCKS_PER_MODULE) return abi::E_INVAL;
  // Single CPU, kernel not preemptible: yielding until the owner releases is
  // enough (the owner is a ready task, or finished and released everything).
  ModuleLock& l = g_locks[module][n];
  while (!l.try_acquire((int)t->slot, t->calls.depth())) {
    // mode=ipc: the owner may be a client waiting (through servers) for us
    if (l.owner >= 0 && ipc_would_deadlock(t, &g_tasks[l.owner])) return abi::E_BUSY;
    yield();
  }
  return 0;
}

int64_t locks_release(Task* t, uint32_t module, uint32_t n) {
  if (module >= layout::MAX_MODULES || n >= LOCKS_PER_MODULE) return abi::E_INVAL;
  return g_locks[module][n].release((int)t->slot) ? 0 : abi::E_INVAL;
}

void locks_release_depth(Task* t, unsigned depth) {
  for (auto& per_module : g_locks)
    for (auto& l : per_module) l.release_if_at_or_above((int)t->slot, depth);
}

void locks_release_task(Task* t) { locks_release_depth(t, 0); }
