// workload=demo: two client tasks run the app at once; each reads a file
// through fs (which reads blocks from blk) and writes it to the console
// driver. Then the console driver prints what each task wrote, in task order.
#include "guest/include/disk.h"
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/workload.h"

int run_demo() {
  kprintf("DEMO start clients=2\n");
  Task* a = task_create("client-a", abi::M_APP, abi::APP_DEMO, 0);
  Task* b = task_create("client-b", abi::M_APP, abi::APP_DEMO, 1);
  unsigned sa = a->slot, sb = b->slot;
  task_wait(a);
  task_wait(b);
  int64_t ra = a->exit_value, rb = b->exit_value;
  a->state = b->state = TaskState::Free;
  int64_t flushed = run_task("flush", abi::M_APP, abi::APP_SELF, abi::ST_FLUSH);
  bool ok = ra == (int64_t)(sizeof disk::kMotd - 1) && rb == (int64_t)(sizeof disk::kLorem - 1) && flushed == ra + rb;
  kprintf("DEMO client task=%u file=%s bytes=%ld\n", sa, disk::kDir[0].name, ra);
  kprintf("DEMO client task=%u file=%s bytes=%ld\n", sb, disk::kDir[1].name, rb);
  kprintf("DEMO console bytes=%ld %s\n", flushed, ok ? "ok" : "FAIL");
  return ok ? 0 : 1;
}
