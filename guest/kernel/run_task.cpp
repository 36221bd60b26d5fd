#include "guest/kernel/task.h"
#include "guest/kernel/workload.h"

int64_t run_task(const char* name, uint32_t module, uint32_t op, uint64_t arg) {
  Task* t = task_create(name, module, op, arg);
  task_wait(t);
  int64_t v = t->exit_value;
  t->state = TaskState::Free;  // its frames stay allocated (tasks are few; see docs/guest.md)
  return v;
}
