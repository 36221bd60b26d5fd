// SYS_mark(value): a module asks the kernel to emit an ANN_MARK record
// "task <id> mark <value>" (for the debugger; nothing on COM1).
#include "guest/kernel/annotate.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"

void sys_mark(Task* t, TrapFrame* f) {
  char text[40] = "mark task ";
  unsigned n = 10;
  text[n++] = (char)('0' + t->slot / 10);
  text[n++] = (char)('0' + t->slot % 10);
  text[n++] = ' ';
  uint64_t v = f->rdi;
  for (int i = 15; i >= 0; --i) text[n++] = "0123456789abcdef"[(v >> (i * 4)) & 15];
  text[n] = 0;
  annotate_mark(text);
  f->rax = 0;
}
