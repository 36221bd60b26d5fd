// Exceptions and interrupts. A fault in ring 3 never stops the kernel: inside
// a call it unwinds that call with E_FAULT (the caller gets the error); in a
// task's home module it ends the task. A fault in ring 0 is a kernel bug.
#include "guest/kernel/trap.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/blkdev.h"
#include "guest/kernel/desc.h"
#include "guest/kernel/fault.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/task.h"
#include "guest/kernel/x86.h"
#include "guest/kernel/xcall.h"

FaultRecord g_last_fault;

extern "C" void trap_dispatch(TrapFrame* f) {
  if (f->vector == VEC_TIMER) return on_timer_tick(f);
  if (f->vector == VEC_BLK && g_blkdev.present) return blkdev_irq();
  if (f->vector == VEC_SPURIOUS) return;  // no EOI for the local APIC's spurious vector (SDM Vol. 3A §10.9)
  if (g_blkdev.present && f->vector == VEC_TIMER + g_blkdev.irq) blkdev_irq_8259();
  if (f->vector >= 32) {
    if (f->vector != 39) pic_eoi();  // IRQ7 may be spurious: no EOI then
    return;
  }
  uint64_t cr2 = f->vector == 14 ? cpu::read_cr2() : 0;
  if (!from_user(f))
    panic("kernel exception %u error %x at rip %lx cr2 %lx", (unsigned)f->vector, (unsigned)f->error, f->rip, cr2);
  Task* t = g_current;
  g_last_fault = {f->vector, f->error, cr2, f->rip, t->cur_module, t->slot, g_last_fault.count + 1};
  if (t->calls.depth() > 0) xcall_unwind(t, f, abi::E_FAULT);
  else if (t->is_server) ipc_server_abort(t, abi::E_FAULT);
  else task_exit(abi::E_FAULT);
}
