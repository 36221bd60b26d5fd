// Per-task call-stack bookkeeping of the cross-module call, and the buffer
// rules that decide what a callee gets to see. Pure data and arithmetic (no
// page tables, no CPU state), so the host unit tests compile it unchanged.
#pragma once
#include <stdint.h>

#include "guest/kernel/memlayout.h"

inline constexpr unsigned MAX_BUFS = 2;
inline constexpr unsigned MAX_BUF_PAGES = 17;  // 64 KiB starting mid-page spans 17 pages
inline constexpr unsigned BUF_SLOT_PAGES = layout::WINDOW_PAGES / MAX_BUFS;
static_assert(BUF_SLOT_PAGES >= MAX_BUF_PAGES);

// One buffer as the callee sees it.
struct BufferWindow {
  uint64_t caller_va = 0;  // where the caller passed it
  uint64_t window_va = 0;  // where the callee gets it (task-private area)
  uint64_t len = 0;
  uint32_t npages = 0;
  uint64_t ptes[MAX_BUF_PAGES] = {};  // leaf entries placed in the window
  // bounce=edges: the caller's entries of the first/last page when they were
  // replaced by a bounce frame (0 = mapped directly)
  uint64_t orig_first = 0, orig_last = 0;
};

// What a call pushes: enough to undo everything on return.
struct CallFrame {
  uint32_t caller_module = 0, callee_module = 0, op = 0;
  uint32_t ticks = 0;          // timer ticks the callee (this depth) has run
  uint64_t saved_regs[22] = {};  // the caller's user TrapFrame at the SYSCALL (general path)
  bool in_place = false;       // fastpath: the caller's frame stayed on the kernel stack instead
  uint64_t saved_pml4e = 0;    // module-slot PML4E of the caller (shared-PML4 modes)
  unsigned nbuf = 0;
  BufferWindow buf[MAX_BUFS];
};

class CallStack {
 public:
  // Depth of the running code: 0 = the task's home module, d = d calls deep.
  unsigned depth() const { return n_; }
  bool full() const { return n_ + 1 >= layout::MAX_DEPTH; }
  CallFrame* push() { return full() ? nullptr : &frames_[n_++]; }
  CallFrame* top() { return n_ ? &frames_[n_ - 1] : nullptr; }
  // The frame of the call that created depth d (1 <= d <= depth()).
  CallFrame* frame_for(unsigned d) { return d >= 1 && d <= n_ ? &frames_[d - 1] : nullptr; }
  void pop() { if (n_) --n_; }
  void clear() { n_ = 0; }

 private:
  CallFrame frames_[layout::MAX_DEPTH - 1];
  unsigned n_ = 0;
};

// Where a buffer passed by a caller lives, by address range alone.
enum class BufKind {
  None,        // len == 0: nothing is mapped, the callee gets address 0
  ModuleArea,  // inside the caller module's own GiB: mapped into a window (no copy)
  Window,      // inside the caller's current buffer window: re-mapped one depth down
  Stack,       // inside the caller's own stack window: its partial pages are copied, never mapped
  Bad,         // anything else: kernel, other module, another depth's stack, spanning, too long
};
BufKind classify_buffer(uint64_t va, uint64_t len, unsigned caller_module, unsigned caller_depth);

// Pages the buffer [va, va+len) touches (len > 0).
constexpr uint32_t pages_spanned(uint64_t va, uint64_t len) {
  return (uint32_t)(((va & 0xFFF) + len + 0xFFF) >> 12);
}
// The address buffer `slot` of a call that creates depth `depth` appears at:
// same offset within its page as the caller's address (no copy, page-granular).
constexpr uint64_t window_va(unsigned depth, unsigned slot, uint64_t caller_va) {
  return layout::window_base(depth) + (uint64_t)slot * BUF_SLOT_PAGES * 4096 + (caller_va & 0xFFF);
}

// Module locks: owned by a task, recursive at the call depth that took them,
// refused (not waited for) at a deeper depth of the same task -- an
// A -> B -> A chain must not enter the critical section the outer A left
// half-updated, nor wait for itself -- and remembered with that depth so an
// unwound call releases what it held.
struct ModuleLock {
  int owner = -1;                               // task slot, -1 = free
  uint16_t count_at[layout::MAX_DEPTH] = {};    // acquisitions made at each call depth
  // Free, or held by `task` at this same depth (recursive there); a deeper
  // depth of the owning task is refused too (re-entry).
  bool try_acquire(int task, unsigned at_depth);
  bool release(int task, unsigned at_depth);    // false unless held by task at that depth
  void release_if_at_or_above(int task, unsigned at_depth);  // on unwind
  unsigned count() const;
};
