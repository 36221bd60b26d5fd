// Tasks and the round-robin scheduler. A task is a schedulable thread of
// control with its own task-private area; the module it runs changes with
// every cross-module call. Slot 0 is the kernel's init thread (ring 0).
#pragma once
#include <stdint.h>

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/callstack.h"
#include "guest/kernel/desc.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/trap.h"

inline constexpr unsigned MAX_TASKS = 48;
inline constexpr unsigned KSTACK_PAGES = 4;
inline constexpr unsigned QUANTUM_TICKS = 2;
inline constexpr unsigned CALL_TIMEOUT_TICKS = 200;  // a callee running this long is unwound

enum class TaskState : uint8_t { Free, Ready, Blocked, Done };

struct Task {
  TaskState state = TaskState::Free;
  unsigned slot = 0;
  char name[16] = {};
  uint64_t kstack_top = 0;   // kernel virtual
  // Where the next user trap frame ends: kstack_top, lowered by one frame for
  // each fastpath call whose caller's frame stays in place (fastpath.cpp).
  uint64_t frame_top = 0;
  uint64_t saved_rsp = 0;    // while switched out
  uint64_t private_pdpt = 0; // task-private area (slot 2)
  uint64_t pml4 = 0;         // shared-PML4 modes: the one PML4 whose slot 1 is rewritten
  uint64_t stack_frames[layout::MAX_DEPTH][layout::STACK_PAGES] = {};
  // Stack windows (aspace.cpp): two depths share a 2 MiB region of the
  // private area, and each region has three page tables -- neither window
  // shown, the even depth's, the odd depth's -- so showing or hiding a window
  // is one store to the region's PDE. stack_pde: the private area's PD
  // (kernel virtual); stack_pde_val[region][version]: the PDE values.
  uint64_t* stack_pde = nullptr;
  uint64_t stack_pde_val[layout::MAX_DEPTH / 2][3] = {};
  uint32_t home_module = 0, cur_module = 0;
  CallStack calls;
  int64_t exit_value = 0;
  // flush=pcid: one PML4 (and PCID) per (task, module) pair
  uint64_t pcid_pml4[layout::MAX_MODULES] = {};
  uint8_t pcid_fresh[layout::MAX_MODULES] = {};  // 1 = next CR3 load must flush that PCID
  uint64_t pcid_cr3[layout::MAX_MODULES] = {};   // the CR3 value (bit 63 set) once that PCID was flushed
  uint8_t pcid_stack_mask[layout::MAX_MODULES] = {};  // depths whose stack that PCID may hold
  // mode=ipc: server threads (one per module) and their clients
  bool is_server = false;
  bool busy = false;                // server: serving a request
  Task* ipc_client = nullptr;       // server: whom it serves
  Task* ipc_waiting_on = nullptr;   // the server this task is blocked calling
  unsigned ipc_depth = 0;           // chain length up to this server
  uint32_t ipc_origin = 0;          // the task at the root of the chain (SYS_self reports it)
  int64_t ipc_result = 0;
  bool fast_wait = false;           // blocked in a fastpath call: resumes through its user frame
  // Waiting for a module lock (locks.cpp): woken by the release that hands it
  // over (lock_granted) or, if wake_tick is set, by the timer at that tick.
  bool lock_granted = false;
  uint64_t wake_tick = 0;
  uint64_t resume_ctx[7] = {};      // a switch_stacks context that returns to ring 3 (task.cpp)
  uint32_t srv_ticks = 0;
  CallFrame ipc_req;                // server: the client's buffers of the current request
  uint64_t recv_frames[MAX_BUFS][BUF_SLOT_PAGES] = {};
  // Pages of each depth's mmap area in use, and the depths that have any
  // (sys_mmap.cpp; a return from depth d takes depth d's back: mmap_revoke).
  // The mask is what mmap_used says, kept apart so that the fastpath's
  // return pays one bit test (tests/bench/fastpath_test.cpp's budget); an
  // unmap may leave a bit set, and the return then finds nothing to take.
  uint64_t mmap_used[layout::MAX_DEPTH][abi::MMAP_PAGES / 64] = {};
  uint8_t mmap_depths = 0;
  bool mmap_lent(unsigned d) const { return mmap_depths >> d & 1; }
  uint64_t ipc_by = 0;  // client: who produced ipc_result (abi::CALL_BY_CALLEE / CALL_BY_KERNEL)
  TrapFrame* user_frame() const { return (TrapFrame*)(frame_top - sizeof(TrapFrame)); }
};

extern Task g_tasks[MAX_TASKS];
extern Task* g_current;
extern volatile uint64_t g_ticks;

void sched_init();  // slot 0 = init (the boot thread)
// A new task that starts in `home_module` with module_main(op, arg, ...) at depth 0.
Task* task_create(const char* name, uint32_t home_module, uint32_t op, uint64_t arg);
void task_wait(Task* t);          // init only: yields/halts until t is Done
void task_wait_blocked(Task* t);  // init only: ... until t sleeps (Blocked) or is Done
[[noreturn]] void task_exit(int64_t value);
void yield();                     // round-robin to the next ready task
bool other_task_ready();          // a task other than the current one could run
// The current task sleeps (Blocked) until something makes it Ready again;
// meanwhile others run, or the CPU halts with interrupts open.
void block_current();
void task_handoff(Task* next, bool block_current);  // run `next` now (mode=ipc send/reply)
Task* task_create_blocked(const char* name, uint32_t home_module);  // an idle server thread
// Makes t's next switch_stacks resume it by returning to ring 3 through its
// user frame (what a new task does; the fastpath leaves kernel contexts
// behind). The context is kept in the task, not below the frame: the caller
// may be running on that stack. resume_user_frame (entry.S) finds the frame
// from kstack_top (the task's frame_top), which task_switch_state sets first.
inline void task_resume_through_frame(Task* t) {
  t->resume_ctx[6] = (uint64_t)&resume_user_frame;
  t->saved_rsp = (uint64_t)t->resume_ctx;
}
// t runs: its frame top, TSS.RSP0 and the SYSCALL stack move together.
inline void task_set_frame_top(Task* t, uint64_t top) {
  t->frame_top = top;
  tss_set_rsp0(top);
  kstack_top = top;
}
void task_switch_state(Task* next);  // g_current, TSS.RSP0, SYSCALL stack, CR3, I/O grant (no stack switch)
void on_timer_tick(TrapFrame* f);
uint64_t current_cr3_for(Task* t);  // the CR3 value to load when t runs its current module
