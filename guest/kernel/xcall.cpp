// The call path, step by step (docs/guest.md walks through it):
//   1 validate callee, operation, rights, depth
//   2 plan the buffer windows (which frames the callee will see)
//   3 push (caller module, saved user registers, windows) on the call stack
//   4 hide the caller's depth (stack window, its buffer windows)
//   5 show the callee's depth (fresh stack window, the new buffer windows)
//   6 module slot -> callee, invalidate (flush=...), I/O grant follows
//   7 enter the callee in ring 3 at its entry point
// and on return the same in reverse.
#include "guest/kernel/xcall.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/annotate.h"
#include "guest/kernel/aspace.h"
#include "guest/kernel/config.h"
#include "guest/kernel/ipc.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/locks.h"
#include "guest/kernel/module.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "mmu/arch.h"

using namespace layout;

namespace {

uint64_t bounce(uint64_t* pte, uint64_t lo, uint64_t hi);

// Step 2 for one buffer: classify it, check every page is a present user page
// of the caller, and record the leaf entries the window will hold.
bool plan_buffer(Task* t, unsigned depth, unsigned slot, uint64_t va, uint64_t len, BufferWindow* w) {
  const bool input = len & abi::BUF_IN;
  len &= ~abi::BUF_IN;
  BufKind k = classify_buffer(va, len, t->cur_module, depth);
  if (k == BufKind::Bad) return false;
  *w = BufferWindow{};
  if (k == BufKind::None) return true;
  w->caller_va = va;
  w->len = len;
  w->npages = pages_spanned(va, len);
  w->window_va = window_va(depth + 1, slot, va);
  for (uint32_t p = 0; p < w->npages; ++p) {
    uint64_t pte = aspace_user_pte(t, t->cur_module, (va & ~0xFFFull) + p * 4096ull);
    if (!pte) return false;
    w->ptes[p] = pte & (x86::PTE_ADDR | (input ? 0 : x86::PTE_W) | x86::PTE_U | x86::PTE_P);
  }
  // A stack buffer is passed without being refused, but its stack page is
  // never mapped: the rest of the caller's stack would show. Like bounce=edges
  // (which does this for every buffer), its partial first and last pages are
  // copied; whole pages in between hold only the buffer's bytes and are mapped.
  const bool stack = k == BufKind::Stack;
  if ((g_cfg.bounce_edges || stack) && g_cfg.mode == Mode::ModArea) {
    // Page granularity would show the callee the caller's bytes around the
    // buffer on its first and last page; copy those pages' buffer bytes into
    // fresh zeroed frames instead (copied back on return if writable).
    uint64_t lo = va & 0xFFF, end = va + len;
    if (lo || len < 4096) w->orig_first = bounce(&w->ptes[0], lo, lo + len < 4096 ? lo + len : 4096);
    if (w->npages > 1 && (end & 0xFFF)) w->orig_last = bounce(&w->ptes[w->npages - 1], 0, end & 0xFFF);
  }
  return true;
}

// Returns the caller's entry; *pte now maps a bounce frame holding bytes [lo, hi).
uint64_t bounce(uint64_t* pte, uint64_t lo, uint64_t hi) {
  uint64_t orig = *pte, frame = alloc_zeroed_page();
  memcpy(phys_ptr<uint8_t>(frame) + lo, phys_ptr<uint8_t>(orig & x86::PTE_ADDR) + lo, hi - lo);
  *pte = frame | (orig & (x86::PTE_W | x86::PTE_U | x86::PTE_P));
  return orig;
}

void unbounce_one(uint64_t orig, uint64_t pte, uint64_t lo, uint64_t hi, bool copy_back) {
  if (!orig) return;
  if (copy_back && (orig & x86::PTE_W))
    memcpy(phys_ptr<uint8_t>(orig & x86::PTE_ADDR) + lo, phys_ptr<uint8_t>(pte & x86::PTE_ADDR) + lo, hi - lo);
  g_pmm.free(pte & x86::PTE_ADDR);
}

// Undo bounce(): copy the callee's writes back into the caller's frames.
void unbounce(BufferWindow* w, bool copy_back) {
  uint64_t lo = w->caller_va & 0xFFF, end = w->caller_va + w->len;
  unbounce_one(w->orig_first, w->ptes[0], lo, lo + w->len < 4096 ? lo + w->len : 4096, copy_back);
  if (w->npages > 1) unbounce_one(w->orig_last, w->ptes[w->npages - 1], 0, end & 0xFFF, copy_back);
  w->orig_first = w->orig_last = 0;
}

void enter_frame(TrapFrame* f, const Module* m, unsigned depth, uint32_t op, uint64_t arg, const CallFrame* c) {
  *f = TrapFrame{};
  f->rip = m->entry;
  f->cs = USER_CS;
  f->ss = USER_DS;
  f->rflags = x86::FL_IF | 2;
  f->rsp = stack_top(depth);
  f->rdi = op;
  f->rsi = arg;
  f->rdx = c->buf[0].len ? c->buf[0].window_va : 0;
  f->r10 = c->buf[0].len;
  f->r8 = c->buf[1].len ? c->buf[1].window_va : 0;
  f->r9 = c->buf[1].len;
}

}  // namespace

LastCall g_last_buffer_call;

bool xcall_enter(Task* t, TrapFrame* f, int64_t* err) {
  uint32_t callee = (uint32_t)f->rdi, op = (uint32_t)(f->rdi >> 32);
  uint32_t caller = t->cur_module;
  unsigned d = t->calls.depth();
  // 1. validate
  Module* m = module_get(callee);
  if (!m) return *err = abi::E_NOMODULE, false;
  if (op >= m->info.nops) return *err = abi::E_NOOP, false;
  if (!(module_get(caller)->info.calls >> callee & 1)) return *err = abi::E_DENIED, false;
  if (t->calls.full()) return *err = abi::E_DEPTH, false;
  // 2. plan windows
  CallFrame plan;
  plan.nbuf = MAX_BUFS;
  unsigned pd = t->is_server ? 1 : d;  // mode=ipc: a server's receive pages sit at the depth-1 window
  if (!plan_buffer(t, pd, 0, f->rdx, f->r10, &plan.buf[0]) || !plan_buffer(t, pd, 1, f->r8, f->r9, &plan.buf[1])) {
    for (auto& b : plan.buf) unbounce(&b, false);
    return *err = abi::E_BADBUF, false;
  }
  if (g_cfg.mode == Mode::Ipc) return ipc_call(t, f, m, op, &plan, err);
  // 3. push
  CallFrame* c = t->calls.push();
  *c = plan;
  c->caller_module = caller;
  c->callee_module = callee;
  c->op = op;
  memcpy(c->saved_regs, f, sizeof(TrapFrame));
  // 4-6. hide the caller, show the callee, switch the slot
  StaleList stale;
  aspace_hide_depth(t, d, t->calls.frame_for(d), &stale);
  aspace_show_depth(t, d + 1, c);
  aspace_switch_module(t, caller, callee, d + 1, stale);
  annotate_call(t->slot, caller, callee, op, d + 1, c->buf, c->buf[1].len ? 2 : c->buf[0].len ? 1 : 0);
  if (c->buf[0].len)
    g_last_buffer_call = {t->slot, caller, c->buf[0].caller_va, c->buf[0].window_va, c->buf[0].ptes[0]};
  // 7. enter
  enter_frame(f, m, d + 1, op, f->rsi, c);
  return true;
}

void xcall_return(Task* t, TrapFrame* f, int64_t value, uint64_t by) {
  unsigned d = t->calls.depth();
  CallFrame* c = t->calls.top();
  if (t->mmap_lent(d)) mmap_revoke(t, d);  // before the context leaves depth d
  StaleList stale;
  aspace_hide_depth(t, d, c, &stale);
  aspace_show_depth(t, d - 1, t->calls.frame_for(d - 1));
  aspace_switch_module(t, c->callee_module, c->caller_module, d - 1, stale);
  annotate_return(t->slot, value, d, c->callee_module, c->caller_module);
  for (auto& b : c->buf) unbounce(&b, true);
  if (c->in_place) {
    // A fastpath call: the caller's frame is the one above f. Leave through
    // f as usual, holding the caller's registers.
    task_set_frame_top(t, t->frame_top + sizeof(TrapFrame));
    memcpy(f, t->user_frame(), sizeof(TrapFrame));
  } else {
    memcpy(f, c->saved_regs, sizeof(TrapFrame));
  }
  f->rax = (uint64_t)value;
  f->rdx = by;
  t->calls.pop();
}

void xcall_unwind(Task* t, TrapFrame* f, int64_t err) {
  locks_release_depth(t, t->calls.depth());
  if (g_cfg.mode == Mode::Ipc) return ipc_unwind(t, f, err);
  xcall_return(t, f, err, abi::CALL_BY_KERNEL);
}
