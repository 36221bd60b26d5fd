// mode=ipc, the classic baseline: every module called gets one server thread
// with its own address space (its own PML4, module slot = that module). A
// call is a synchronous send: the request's buffers are copied into the
// server's receive pages, the client blocks, the server runs; its SYS_ret is
// the reply, which copies writable buffers back and wakes the client. One
// thread per server: a second client waits; a chain that comes back to a busy
// server (A -> B -> A) would deadlock, so it fails with E_BUSY instead.
#include "guest/kernel/ipc.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/annotate.h"
#include "guest/kernel/callstack.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/locks.h"
#include "guest/kernel/module.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/xcall.h"
#include "mmu/arch.h"

using namespace layout;

Task* g_server[MAX_MODULES];

namespace {

Task* server_for(Module* m) {
  Task*& s = g_server[m->info.id];
  if (!s) {
    char name[16] = "srv-";
    for (unsigned i = 0; i < 11 && m->info.name[i]; ++i) name[4 + i] = m->info.name[i];
    s = task_create_blocked(name, m->info.id);
    s->is_server = true;
    // receive pages: where request buffers are copied, at the depth-1 window addresses
    for (unsigned b = 0; b < MAX_BUFS; ++b)
      for (unsigned p = 0; p < BUF_SLOT_PAGES; ++p) {
        s->recv_frames[b][p] = alloc_zeroed_page();
        pt_map(g_pt, s->private_pdpt, 3, window_base(1) + (b * BUF_SLOT_PAGES + p) * 4096ull, s->recv_frames[b][p],
               x86::PTE_W | x86::PTE_U | x86::PTE_NX);
      }
  }
  return s;
}

// Copy len bytes between a buffer described by leaf entries (client side) and
// the server's receive frames; both start at the same offset within a page.
void copy_buffer(const BufferWindow& w, const uint64_t* recv, bool to_server) {
  uint64_t off = w.caller_va & 0xFFF, left = w.len;
  for (uint32_t p = 0; p < w.npages && left; ++p) {
    uint64_t n = 4096 - off < left ? 4096 - off : left;
    auto* client = phys_ptr<uint8_t>(w.ptes[p] & x86::PTE_ADDR) + off;
    auto* server = phys_ptr<uint8_t>(recv[p]) + off;
    if (to_server) memcpy(server, client, n);
    else memcpy(client, server, n);
    left -= n;
    off = 0;
  }
}
}  // namespace

bool ipc_would_deadlock(Task* waiter, Task* owner) {
  for (Task* x = owner; x; x = x->ipc_waiting_on)
    if (x == waiter) return true;
  return false;
}

bool ipc_call(Task* t, TrapFrame* f, Module* m, uint32_t op, const CallFrame* plan, int64_t* err) {
  Task* s = server_for(m);
  unsigned depth = (t->is_server ? t->ipc_depth : 0) + 1;
  if (depth >= MAX_DEPTH) return *err = abi::E_DEPTH, false;
  while (s->busy) {
    if (ipc_would_deadlock(t, s)) return *err = abi::E_BUSY, false;
    yield();  // another chain is using the server: wait for it
  }
  if (s == t) return *err = abi::E_BUSY, false;
  // send: copy the request's buffers into the server's receive pages
  s->ipc_req = *plan;
  for (unsigned b = 0; b < MAX_BUFS; ++b) {
    BufferWindow& w = s->ipc_req.buf[b];
    if (!w.len) continue;
    copy_buffer(w, s->recv_frames[b], true);
    w.window_va = window_va(1, b, w.caller_va);
  }
  ipc_accept(s, t, m->info.id, depth);
  TrapFrame* sf = s->user_frame();
  *sf = TrapFrame{};
  sf->rip = m->entry;
  sf->cs = USER_CS;
  sf->ss = USER_DS;
  sf->rflags = x86::FL_IF | 2;
  sf->rsp = stack_top(0);
  sf->rdi = op;
  sf->rsi = f->rsi;
  sf->rdx = s->ipc_req.buf[0].len ? s->ipc_req.buf[0].window_va : 0;
  sf->r10 = s->ipc_req.buf[0].len;
  sf->r8 = s->ipc_req.buf[1].len ? s->ipc_req.buf[1].window_va : 0;
  sf->r9 = s->ipc_req.buf[1].len;
  annotate_call(t->slot, t->cur_module, m->info.id, op, depth, s->ipc_req.buf,
                s->ipc_req.buf[1].len ? 2 : s->ipc_req.buf[0].len ? 1 : 0);
  task_handoff(s, true);  // blocks until the reply
  t->ipc_waiting_on = nullptr;
  f->rax = (uint64_t)t->ipc_result;
  f->rdx = t->ipc_by;
  return true;
}

void ipc_reply(Task* s, int64_t value, uint64_t by) {
  Task* c = s->ipc_client;
  for (unsigned b = 0; b < MAX_BUFS; ++b) {
    const BufferWindow& w = s->ipc_req.buf[b];
    if (w.len && (w.ptes[0] & x86::PTE_W)) copy_buffer(w, s->recv_frames[b], false);
  }
  annotate_return(c->slot, value, s->ipc_depth, s->ipc_req.callee_module, s->ipc_req.caller_module);
  s->busy = false;
  s->ipc_client = nullptr;
  c->ipc_result = value;
  c->ipc_by = by;
  if (c->fast_wait) {  // a fastpath client resumes through its trap frame (fastpath.cpp)
    c->user_frame()->rax = (uint64_t)value;
    c->user_frame()->rdx = by;
    c->ipc_waiting_on = nullptr;
    c->fast_wait = false;
  }
  task_handoff(c, true);  // the server sleeps until its next request rewrites its frame
}

void ipc_server_abort(Task* s, int64_t err) {
  locks_release_task(s);
  ipc_reply(s, err, abi::CALL_BY_KERNEL);
}

void ipc_unwind(Task* t, TrapFrame* f, int64_t err) { xcall_return(t, f, err, abi::CALL_BY_KERNEL); }
