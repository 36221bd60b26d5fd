#include "guest/kernel/locks.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/callstack.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/task.h"

namespace {
ModuleLock g_locks[layout::MAX_MODULES][LOCKS_PER_MODULE];

// The tasks waiting for each lock, in arrival order.
struct Waiter {
  uint8_t slot, depth;
};
struct Queue {
  Waiter w[MAX_TASKS];
  unsigned n;
  void remove(unsigned slot) {
    unsigned k = 0;
    for (unsigned i = 0; i < n; ++i)
      if (w[i].slot != slot) w[k++] = w[i];
    n = k;
  }
};
Queue g_queues[layout::MAX_MODULES][LOCKS_PER_MODULE];

// A free lock goes to its first waiter, who wakes up owning it.
void hand_over(ModuleLock& l, Queue& q) {
  if (l.owner >= 0 || q.n == 0) return;
  const Waiter w = q.w[0];
  q.remove(w.slot);
  Task& next = g_tasks[w.slot];
  l.try_acquire((int)w.slot, w.depth);
  next.lock_granted = true;
  next.state = TaskState::Ready;
}
}  // namespace

int64_t locks_acquire(Task* t, uint32_t module, uint32_t n, uint64_t timeout) {
  if (module >= layout::MAX_MODULES || n >= LOCKS_PER_MODULE) return abi::E_INVAL;
  ModuleLock& l = g_locks[module][n];
  if (l.try_acquire((int)t->slot, t->calls.depth())) return 0;
  // Re-entry: this task holds it at a shallower depth, in a call that has not
  // finished. Waiting would wait for ourselves; the critical section may be
  // half-updated. Refused, as the IPC kernel refuses a busy server.
  if (l.owner == (int)t->slot) return abi::E_BUSY;
  // mode=ipc: the owner may be a client waiting (through servers) for us
  if (ipc_would_deadlock(t, &g_tasks[l.owner])) return abi::E_BUSY;
  Queue& q = g_queues[module][n];
  q.w[q.n++] = {(uint8_t)t->slot, (uint8_t)t->calls.depth()};
  t->lock_granted = false;
  t->wake_tick = timeout ? g_ticks + timeout : 0;
  block_current();
  t->wake_tick = 0;
  if (t->lock_granted) return 0;
  q.remove(t->slot);  // the timer woke it
  return abi::E_TIMEOUT;
}

int64_t locks_release(Task* t, uint32_t module, uint32_t n) {
  if (module >= layout::MAX_MODULES || n >= LOCKS_PER_MODULE) return abi::E_INVAL;
  ModuleLock& l = g_locks[module][n];
  if (!l.release((int)t->slot, t->calls.depth())) return abi::E_INVAL;
  hand_over(l, g_queues[module][n]);
  return 0;
}

void locks_release_depth(Task* t, unsigned depth) {
  for (unsigned m = 0; m < layout::MAX_MODULES; ++m)
    for (unsigned n = 0; n < LOCKS_PER_MODULE; ++n) {
      ModuleLock& l = g_locks[m][n];
      if (l.owner != (int)t->slot) continue;
      l.release_if_at_or_above((int)t->slot, depth);
      hand_over(l, g_queues[m][n]);
    }
}

void locks_release_task(Task* t) { locks_release_depth(t, 0); }
