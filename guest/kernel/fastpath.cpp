// The fastpath of SYS_call and SYS_ret, for both kernels (DESIGN §9, after
// seL4's IPC fastpath): check the few conditions under which the common case
// holds, do exactly that case in straight-line code, and leave everything
// else to the general path (xcall.cpp, ipc.cpp), which stays as it was.
//
// The common case: a call that passes no buffer, between modules that hold no
// I/O-port grant, whose caller's depth has no buffer windows to hide. Then a
// module-area call is: a call record of four words; the caller's registers
// stay where SYSCALL put them (its trap frame; the task's frame top moves one
// frame down, so the callee's kernel entries land below it); hide the
// caller's stack window and show the callee's (four cached leaf entries
// each); point the module slot at the callee and invalidate as flush= says
// (aspace_switch_slot, shared with the general path); enter the callee with
// SYSRET from registers alone. The return raises the frame top and leaves
// through the caller's untouched frame. An IPC call is: block the client (its
// registers stay in its own trap frame), hand the server its request in
// registers, load the server's CR3, SYSRET into it; the reply is the mirror
// image. Annotation records are written as on the general path, so the
// debugger sees every call.
//
// This file is compiled with rbx and r12-r15 call-clobbered
// (-fcall-used-*, guest/CMakeLists.txt): its functions are called only from
// entry.S, right after the SYSCALL entry saved every user register in the
// trap frame, and entry.S keeps nothing in registers across the call, so
// saving them again would be pure cost. Nothing with the normal ABI may be
// defined here (fastpath_init lives in syscall.cpp).
//
// fast_call / fast_ret run on the SYSCALL frame (entry.S) and return 0 (the
// general path then runs on the untouched frame), the frame to leave through
// with SYSRET, or the address of g_enter | 1: enter a module from registers.
// With fastpath=0 on the command line, and in mode=monolithic, they always
// say 0.
#include "guest/include/slotlab_abi.h"
#include "guest/kernel/annotate.h"
#include "guest/kernel/aspace.h"
#include "guest/kernel/config.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/module.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "mmu/arch.h"

using namespace layout;

namespace {

// A module entry, from registers: entry.S sysret_enter zeroes every other one.
struct Enter {
  uint64_t rip, rsp, op, arg;
};
Enter g_enter;  // one CPU

uint64_t enter_module(const Module* m, uint64_t rsp, uint32_t op, uint64_t arg) {
  g_enter = {m->entry, rsp, op, arg};
  return (uint64_t)&g_enter | 1;
}

// Run `next` from now on (aspace_activate without the I/O-bitmap work: the
// fastpath's modules hold no port grant).
void switch_to(Task* next) {
  g_current = next;
  task_set_frame_top(next, next->frame_top);
  cpu::write_cr3(aspace_cr3(next, next->cur_module));
  aspace_io_follows(next->cur_module);
}

// A general-path call at this depth mapped buffer windows (a fastpath call never does).
bool has_windows(const CallFrame* c) { return c && !c->in_place && (c->buf[0].npages | c->buf[1].npages); }

// The callee (or server) to call, if the call is one the fastpath takes.
// Errors (no module, no operation, no right) are reported by the general path.
Module* fast_callee(const Module* from, const TrapFrame* f) {
  if (f->r10 | f->r9) return nullptr;  // a buffer: the general path maps or copies it
  const uint32_t callee = (uint32_t)f->rdi, op = (uint32_t)(f->rdi >> 32);
  if (callee >= MAX_MODULES || !(from->fast_calls >> callee & 1)) return nullptr;
  Module* m = &g_modules[callee];
  return op < m->info.nops ? m : nullptr;
}

// ---- the module-area kernel ------------------------------------------------

template <bool kRecords>
uint64_t modarea_call(TrapFrame* f) {
  Task* t = g_current;
  const uint32_t caller = t->cur_module, callee = (uint32_t)f->rdi, op = (uint32_t)(f->rdi >> 32);
  const Module* m = fast_callee(&g_modules[caller], f);
  const unsigned d = t->calls.depth();
  if (!m || t->calls.full() || has_windows(t->calls.frame_for(d))) return 0;
  CallFrame* c = t->calls.push();
  c->caller_module = caller, c->callee_module = callee, c->op = op, c->ticks = 0;
  c->nbuf = 0;
  c->in_place = true;
  task_set_frame_top(t, t->frame_top - sizeof(TrapFrame));
  StaleList stale;
  aspace_hide_stack(t, d, &stale);
  aspace_show_stack(t, d + 1);
  aspace_switch_slot(t, caller, callee, d + 1, stale);
  aspace_io_follows(callee);
  if constexpr (kRecords) annotate_call(t->slot, caller, callee, op, d + 1, nullptr, 0);
  return enter_module(m, stack_top(d + 1), op, f->rsi);
}

template <bool kRecords>
uint64_t modarea_return(TrapFrame* f) {
  Task* t = g_current;
  const unsigned d = t->calls.depth();
  const CallFrame* c = t->calls.top();
  if (!c || !c->in_place || has_windows(t->calls.frame_for(d - 1))) return 0;
  const uint32_t callee = c->callee_module, caller = c->caller_module;
  const int64_t value = (int64_t)f->rdi;
  if (t->mmap_lent(d)) [[unlikely]] mmap_revoke(t, d);
  StaleList stale;
  aspace_hide_stack(t, d, &stale);
  aspace_show_stack(t, d - 1);
  aspace_switch_slot(t, callee, caller, d - 1, stale);
  aspace_io_follows(caller);
  if constexpr (kRecords) annotate_return(t->slot, value, d, callee, caller);
  t->calls.pop();
  task_set_frame_top(t, t->frame_top + sizeof(TrapFrame));
  TrapFrame* cf = t->user_frame();  // the caller's, as its SYSCALL left it
  cf->rax = (uint64_t)value;
  cf->rdx = abi::CALL_BY_CALLEE;
  return (uint64_t)cf;
}

// ---- the IPC kernel ------------------------------------------------------------

template <bool kRecords>
uint64_t ipc_call(TrapFrame* f) {
  Task* t = g_current;
  Module* m = fast_callee(&g_modules[t->cur_module], f);
  if (!m) return 0;
  Task* s = g_server[m->info.id];
  const unsigned depth = (t->is_server ? t->ipc_depth : 0) + 1;
  // The server must exist and wait for a request (the general path creates
  // it, queues behind a busy one and refuses a cycle).
  if (!s || s == t || s->busy || s->state != TaskState::Blocked || depth >= MAX_DEPTH) return 0;
  const uint32_t op = (uint32_t)(f->rdi >> 32);
  s->ipc_req.nbuf = 0;
  s->ipc_req.buf[0].len = s->ipc_req.buf[1].len = 0;
  ipc_accept(s, t, m->info.id, depth);
  // The client blocks with its registers in its own trap frame; a reply on
  // either path resumes it through that frame.
  t->fast_wait = true;
  t->state = TaskState::Blocked;
  task_resume_through_frame(t);
  if constexpr (kRecords) annotate_call(t->slot, t->cur_module, m->info.id, op, depth, nullptr, 0);
  s->state = TaskState::Ready;
  switch_to(s);
  return enter_module(m, stack_top(0), op, f->rsi);
}

template <bool kRecords>
uint64_t ipc_reply(TrapFrame* f) {
  Task* s = g_current;
  Task* c = s->ipc_client;
  if (!s->is_server || s->calls.depth() != 0 || !s->busy || !c || !c->fast_wait) return 0;
  const int64_t value = (int64_t)f->rdi;
  if constexpr (kRecords)
    annotate_return(c->slot, value, s->ipc_depth, s->ipc_req.callee_module, s->ipc_req.caller_module);
  s->busy = false;
  s->ipc_client = nullptr;
  s->state = TaskState::Blocked;
  task_resume_through_frame(s);  // its next request (on either path) enters through its frame
  c->ipc_result = value;
  c->ipc_by = abi::CALL_BY_CALLEE;
  c->ipc_waiting_on = nullptr;
  c->fast_wait = false;
  c->state = TaskState::Ready;
  TrapFrame* cf = c->user_frame();
  cf->rax = (uint64_t)value;
  cf->rdx = abi::CALL_BY_CALLEE;
  switch_to(c);
  return (uint64_t)cf;
}

uint64_t general_path(TrapFrame*) { return 0; }

}  // namespace

// The fastpath functions, for fastpath_init (syscall.cpp): [kernel][records]
// {call, return}; kernel 0 = none (fastpath=0, monolithic), 1 = module area,
// 2 = IPC.
extern "C" const FastPathFn fast_paths[3][2][2] = {
    {{general_path, general_path}, {general_path, general_path}},
    {{modarea_call<false>, modarea_return<false>}, {modarea_call<true>, modarea_return<true>}},
    {{ipc_call<false>, ipc_reply<false>}, {ipc_call<true>, ipc_reply<true>}},
};

// entry.S calls these for SYS_call and SYS_ret.
extern "C" {
FastPathFn fast_call = general_path;
FastPathFn fast_ret = general_path;
}
