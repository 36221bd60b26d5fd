// Tasks and the round-robin scheduler. A task is a schedulable thread of
// control with its own task-private area; the module it runs changes with
// every cross-module call. Slot 0 is the kernel's init thread (ring 0).
#pragma once
#include <stdint.h>

#include "guest/kernel/callstack.h"
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
  uint64_t saved_rsp = 0;    // while switched out
  uint64_t private_pdpt = 0; // task-private area (slot 2)
  uint64_t pml4 = 0;         // shared-PML4 modes: the one PML4 whose slot 1 is rewritten
  uint64_t stack_frames[layout::MAX_DEPTH][layout::STACK_PAGES] = {};
  uint32_t home_module = 0, cur_module = 0;
  CallStack calls;
  int64_t exit_value = 0;
  // flush=pcid: one PML4 (and PCID) per (task, module) pair
  uint64_t pcid_pml4[layout::MAX_MODULES] = {};
  uint8_t pcid_fresh[layout::MAX_MODULES] = {};  // 1 = next CR3 load must flush that PCID
  uint8_t pcid_stack_mask[layout::MAX_MODULES] = {};  // depths whose stack that PCID may hold
  // mode=ipc: server threads (one per module) and their clients
  bool is_server = false;
  bool busy = false;                // server: serving a request
  Task* ipc_client = nullptr;       // server: whom it serves
  Task* ipc_waiting_on = nullptr;   // the server this task is blocked calling
  unsigned ipc_depth = 0;           // chain length up to this server
  uint32_t ipc_origin = 0;          // the task at the root of the chain (SYS_self reports it)
  int64_t ipc_result = 0;
  uint32_t srv_ticks = 0;
  CallFrame ipc_req;                // server: the client's buffers of the current request
  uint64_t recv_frames[MAX_BUFS][BUF_SLOT_PAGES] = {};
  TrapFrame* user_frame() const { return (TrapFrame*)(kstack_top - sizeof(TrapFrame)); }
};

extern Task g_tasks[MAX_TASKS];
extern Task* g_current;
extern volatile uint64_t g_ticks;

void sched_init();  // slot 0 = init (the boot thread)
// A new task that starts in `home_module` with module_main(op, arg, ...) at depth 0.
Task* task_create(const char* name, uint32_t home_module, uint32_t op, uint64_t arg);
void task_wait(Task* t);          // init only: yields/halts until t is Done
[[noreturn]] void task_exit(int64_t value);
void yield();                     // round-robin to the next ready task
void task_handoff(Task* next, bool block_current);  // run `next` now (mode=ipc send/reply)
Task* task_create_blocked(const char* name, uint32_t home_module);  // an idle server thread
void on_timer_tick(TrapFrame* f);
uint64_t current_cr3_for(Task* t);  // the CR3 value to load when t runs its current module
