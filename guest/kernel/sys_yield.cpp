// SYS_yield(): give the CPU to the next ready task.
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"

void sys_yield(Task*, TrapFrame* f) {
  f->rax = 0;
  yield();
}
