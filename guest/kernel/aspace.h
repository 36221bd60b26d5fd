// Address-space operations of the module-area design: the task-private area
// (stack and buffer windows per call depth), the module slot, and the
// invalidation each flush= variant performs after changing them.
#pragma once
#include <stdint.h>

struct Task;
struct CallFrame;

void aspace_task_init(Task* t);   // private area, stack frames of every depth, depth 0 shown
void aspace_announce(Task* t);    // annotation records for t's address space(s)
void aspace_activate(Task* t);    // context switch: CR3 and I/O bitmap for t's running module

// A list of private-area pages that were just unmapped (to invalidate).
struct StaleList {
  static constexpr unsigned MAX = 64;
  uint64_t va[MAX];
  unsigned n = 0;
  void add(uint64_t v) { if (n < MAX) va[n++] = v; }
};

// Show or hide what the code running at `depth` may see: its stack window
// and the buffer windows of the call that created that depth (c may be null).
void aspace_show_depth(Task* t, unsigned depth, const CallFrame* c);
void aspace_hide_depth(Task* t, unsigned depth, const CallFrame* c, StaleList* stale);
// Point the module slot at `to` (now running at `depth`) and invalidate as
// g_cfg.flush says; also moves the I/O-port grant from `from` to `to`.
void aspace_switch_module(Task* t, uint32_t from, uint32_t to, unsigned depth, const StaleList& stale);
uint64_t aspace_cr3(Task* t, uint32_t module);  // CR3 value (with PCID) for t running module
uint64_t pcid_of(const Task* t, uint32_t module);
// The leaf PTE the caller's mapping has for va (module area of `module` or
// the task's private area), 0 if not a present user page.
uint64_t aspace_user_pte(Task* t, uint32_t module, uint64_t va);
