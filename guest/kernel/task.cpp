#include "guest/kernel/task.h"

#include "guest/kernel/annotate.h"
#include "guest/kernel/aspace.h"
#include "guest/kernel/config.h"
#include "guest/kernel/desc.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/locks.h"
#include "guest/kernel/module.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "guest/kernel/xcall.h"
#include "mmu/arch.h"

Task g_tasks[MAX_TASKS];
Task* g_current;
volatile uint64_t g_ticks;

void sched_init() {
  Task& init = g_tasks[0];
  init.state = TaskState::Ready;
  memcpy(init.name, "init", 5);
  g_current = &init;
}

Task* task_create_blocked(const char* name, uint32_t home_module) {
  Task* t = task_create(name, home_module, 0, 0);
  t->state = TaskState::Blocked;
  return t;
}

Task* task_create(const char* name, uint32_t home_module, uint32_t op, uint64_t arg) {
  Module* m = module_get(home_module);
  if (!m) panic("task_create: no module %u", home_module);
  Task* t = nullptr;
  for (unsigned i = 1; i < MAX_TASKS && !t; ++i)
    if (g_tasks[i].state == TaskState::Free) t = &g_tasks[i];
  if (!t) panic("task_create: out of task slots");
  unsigned slot = (unsigned)(t - g_tasks);
  *t = Task{};
  t->slot = slot;
  t->ipc_origin = slot;
  for (unsigned i = 0; i < sizeof t->name - 1 && name[i]; ++i) t->name[i] = name[i];
  uint64_t kstack = 0;
  for (unsigned i = 0; i < KSTACK_PAGES; ++i) {
    uint64_t pa = alloc_zeroed_page();
    if (i == 0) kstack = pa;
    else if (pa != kstack + i * 4096) panic("kernel stack not contiguous");
  }
  t->kstack_top = t->frame_top = layout::p2v(kstack) + KSTACK_PAGES * 4096;
  t->home_module = t->cur_module = home_module;
  aspace_task_init(t);
  for (auto& f : t->pcid_fresh) f = 1;

  // Initial user state: enter the home module at depth 0.
  TrapFrame* f = t->user_frame();
  *f = TrapFrame{};
  f->rip = m->entry;
  f->cs = USER_CS;
  f->ss = USER_DS;
  f->rflags = x86::FL_IF | 2;
  f->rsp = layout::stack_top(0);
  f->rdi = op;
  f->rsi = arg;
  task_resume_through_frame(t);
  t->state = TaskState::Ready;
  annotate_task_create(slot, home_module, g_current ? g_current->slot : ~0u, t->name);
  aspace_announce(t);
  return t;
}

void task_switch_state(Task* next) {
  g_current = next;
  if (next->slot != 0) {
    tss_set_rsp0(next->frame_top);
    kstack_top = next->frame_top;
    aspace_activate(next);
  }
}

namespace {
void switch_to(Task* next) {
  Task* prev = g_current;
  if (next == prev) return;
  task_switch_state(next);
  switch_stacks(&prev->saved_rsp, next->saved_rsp);
}

Task* pick_next() {
  unsigned cur = g_current->slot;
  for (unsigned i = 1; i <= MAX_TASKS; ++i) {
    Task* t = &g_tasks[(cur + i) % MAX_TASKS];
    if (t->state == TaskState::Ready) return t;
  }
  return g_current;
}
}  // namespace

void yield() { switch_to(pick_next()); }
bool other_task_ready() { return pick_next() != g_current; }

void block_current() {
  g_current->state = TaskState::Blocked;
  while (g_current->state == TaskState::Blocked) {
    Task* n = pick_next();
    if (n == g_current) cpu::sti_hlt_cli();
    else switch_to(n);
  }
}

void task_handoff(Task* next, bool block_current) {
  if (block_current) g_current->state = TaskState::Blocked;
  next->state = TaskState::Ready;
  switch_to(next);
}

namespace {
void wait_until(Task* t, bool blocked_too) {
  while (t->state != TaskState::Done && !(blocked_too && t->state == TaskState::Blocked)) {
    Task* n = pick_next();
    if (n == g_current) cpu::sti_hlt_cli();
    else switch_to(n);
  }
}
}  // namespace

void task_wait(Task* t) { wait_until(t, false); }
void task_wait_blocked(Task* t) { wait_until(t, true); }

void task_exit(int64_t value) {
  Task* t = g_current;
  t->exit_value = value;
  locks_release_task(t);
  annotate_task_exit(t->slot, value);
  t->state = TaskState::Done;
  yield();
  panic("a finished task was scheduled");
}

void on_timer_tick(TrapFrame* f) {
  g_ticks = g_ticks + 1;
  pic_eoi();
  // A call's budget is guest time, whatever its callee does: the tick counts
  // for the innermost call of every task, running, ready or asleep. A task
  // asleep in a lock wait past its budget (or its own timeout) wakes up; the
  // call is unwound when its system call returns (syscall.cpp), or here when
  // the tick finds the callee running in ring 3.
  for (Task& w : g_tasks) {
    if (w.state != TaskState::Ready && w.state != TaskState::Blocked) continue;
    CallFrame* c = w.calls.top();
    const bool over = c && ++c->ticks > CALL_TIMEOUT_TICKS;
    // mode=ipc: the server's request, likewise -- but not while the server
    // waits for a server it called: that request has its own budget, as the
    // innermost call frame alone counts in the other modes. (Counting it made
    // a 64 KiB write, 128 block requests, time out on a slow disk.)
    if (w.is_server && w.busy && !w.ipc_waiting_on) ++w.srv_ticks;
    if (w.state == TaskState::Blocked && ((w.wake_tick && g_ticks >= w.wake_tick) || (over && !w.is_server)))
      w.state = TaskState::Ready;
  }
  if (!from_user(f)) return;  // init halting: it polls by itself
  Task* t = g_current;
  if (CallFrame* c = t->calls.top(); c && c->ticks > CALL_TIMEOUT_TICKS) xcall_unwind(t, f, abi::E_TIMEOUT);
  else if (t->is_server && t->busy && t->srv_ticks > CALL_TIMEOUT_TICKS) ipc_server_abort(t, abi::E_TIMEOUT);
  if (g_ticks % QUANTUM_TICKS == 0) yield();
}
