// Module locks (SYS_lock / SYS_unlock): a few per module, owned by a task,
// recursive, released when the call that took them is unwound.
#pragma once
#include <stdint.h>

struct Task;
inline constexpr unsigned LOCKS_PER_MODULE = 4;

int64_t locks_acquire(Task* t, uint32_t module, uint32_t n);  // blocks (yields) while another task holds it
int64_t locks_release(Task* t, uint32_t module, uint32_t n);
void locks_release_depth(Task* t, unsigned depth);            // unwind of the call that created `depth`
void locks_release_task(Task* t);
