// SYS_ret(value): the running module's operation is finished. At depth 0 the
// task itself is finished and `value` is its exit value.
#include "guest/kernel/ipc.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "guest/kernel/xcall.h"

void sys_ret(Task* t, TrapFrame* f) {
  if (t->calls.depth() == 0 && t->is_server) return ipc_reply(t, (int64_t)f->rdi);
  if (t->calls.depth() == 0) task_exit((int64_t)f->rdi);
  xcall_return(t, f, (int64_t)f->rdi);
}
