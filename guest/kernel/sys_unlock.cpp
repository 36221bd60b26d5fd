// SYS_unlock(module, n): release lock n of the running module.
#include "guest/kernel/config.h"
#include "guest/kernel/locks.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"

void sys_unlock(Task* t, TrapFrame* f) {
  if (g_cfg.mode != Mode::Monolithic && f->rdi != t->cur_module) {
    f->rax = (uint64_t)abi::E_DENIED;
    return;
  }
  f->rax = (uint64_t)locks_release(t, (uint32_t)f->rdi, (uint32_t)f->rsi);
}
