// SYS_lock(module, n, timeout): take lock n of `module`, which must be the
// running module (a module's locks are its own; in mode=monolithic the kernel
// cannot tell which module runs and takes the caller's word), sleeping while
// another task holds it -- at most `timeout` ticks if that is not 0.
#include "guest/kernel/config.h"
#include "guest/kernel/locks.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"

void sys_lock(Task* t, TrapFrame* f) {
  if (g_cfg.mode != Mode::Monolithic && f->rdi != t->cur_module) {
    f->rax = (uint64_t)abi::E_DENIED;
    return;
  }
  f->rax = (uint64_t)locks_acquire(t, (uint32_t)f->rdi, (uint32_t)f->rsi, f->rdx);
}
