// SYS_self(): the calling task's id and call depth: id | depth << 32. In
// mode=ipc a server reports the task at the root of its call chain (on whose
// behalf it runs, as a callee does in the module-area design) and its depth
// in the chain.
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"

void sys_self(Task* t, TrapFrame* f) {
  unsigned depth = t->is_server ? t->ipc_depth : t->calls.depth();
  f->rax = t->ipc_origin | (uint64_t)depth << 32;
}
