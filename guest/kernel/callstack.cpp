#include "guest/kernel/callstack.h"

using namespace layout;

BufKind classify_buffer(uint64_t va, uint64_t len, unsigned caller_module, unsigned caller_depth) {
  if (len == 0) return BufKind::None;
  if (len > MAX_BUFFER) return BufKind::Bad;
  uint64_t end = va + len;  // exclusive
  if (end < va) return BufKind::Bad;  // wraps around
  uint64_t mb = module_base(caller_module);
  if (caller_module >= 1 && caller_module < MAX_MODULES && va >= mb && end <= mb + GiB)
    return BufKind::ModuleArea;
  uint64_t wb = window_base(caller_depth);
  if (caller_depth >= 1 && va >= wb && end <= wb + WINDOW_PAGES * 4096) return BufKind::Window;
  if (caller_depth < MAX_DEPTH && va >= stack_bottom(caller_depth) && end <= stack_top(caller_depth)) return BufKind::Stack;
  return BufKind::Bad;
}

bool ModuleLock::try_acquire(int task, unsigned at_depth) {
  if (at_depth >= MAX_DEPTH || (owner != -1 && owner != task)) return false;
  // Recursive only at the depth that holds it: a call chain that comes back
  // into the module (A -> B -> A) must not enter a critical section the
  // outer A left half-updated.
  if (owner == task && !count_at[at_depth]) return false;
  owner = task;
  ++count_at[at_depth];
  return true;
}

unsigned ModuleLock::count() const {
  unsigned n = 0;
  for (auto c : count_at) n += c;
  return n;
}

bool ModuleLock::release(int task, unsigned at_depth) {
  if (owner != task || at_depth >= MAX_DEPTH || !count_at[at_depth]) return false;
  --count_at[at_depth];
  if (count() == 0) owner = -1;
  return true;
}

void ModuleLock::release_if_at_or_above(int task, unsigned at_depth) {
  if (owner != task) return;
  for (unsigned d = at_depth; d < MAX_DEPTH; ++d) count_at[d] = 0;
  if (count() == 0) owner = -1;
}
