// Module locks (SYS_lock / SYS_unlock): a few per module, owned by a task,
// recursive at the depth that took them (a deeper depth of the same task, a
// call chain come back into the module, gets E_BUSY: ModuleLock), released
// when the call that took them is unwound or its task
// ends. A task that finds a lock taken sleeps in the lock's FIFO queue; a
// release hands the lock to the first waiter; a wait may have a timeout.
#pragma once
#include <stdint.h>

struct Task;
inline constexpr unsigned LOCKS_PER_MODULE = 4;

// Sleeps while another task holds it: 0, E_TIMEOUT after `timeout` ticks (0: no
// timeout), E_BUSY where waiting would deadlock a mode=ipc chain.
int64_t locks_acquire(Task* t, uint32_t module, uint32_t n, uint64_t timeout);
int64_t locks_release(Task* t, uint32_t module, uint32_t n);
void locks_release_depth(Task* t, unsigned depth);            // unwind of the call that created `depth`
void locks_release_task(Task* t);
