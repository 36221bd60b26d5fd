// SYS_call(callee | op << 32, arg, buf0, len0, buf1, len1): the cross-module call.
#include "guest/kernel/syscall.h"
#include "guest/kernel/xcall.h"

void sys_call(Task* t, TrapFrame* f) {
  int64_t err = 0;
  if (!xcall_enter(t, f, &err)) f->rax = (uint64_t)err, f->rdx = abi::CALL_BY_KERNEL;
}
