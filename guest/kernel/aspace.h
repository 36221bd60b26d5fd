// Address-space operations of the module-area design: the task-private area
// (stack and buffer windows per call depth), the module slot, and the
// invalidation each flush= variant performs after changing them.
#pragma once
#include <stdint.h>

#include "guest/kernel/config.h"
#include "guest/kernel/cpufeat.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

struct CallFrame;

// Depth d's mmap area (sys_mmap.cpp): in depth d's MiB, below its stack window, so
// it lives in the page table that shows that stack and comes and goes with it.
constexpr uint64_t mmap_area(unsigned depth) { return abi::MMAP_AREA + depth * abi::MMAP_AREA_STRIDE; }
static_assert(abi::MMAP_AREA_STRIDE == layout::MiB && mmap_area(0) >= layout::PRIVATE_AREA + 4096 &&
              mmap_area(0) + abi::MMAP_PAGES * 4096ull <= layout::stack_bottom(0));

void aspace_task_init(Task* t);   // private area, stack frames of every depth, depth 0 shown
void aspace_announce(Task* t);    // annotation records for t's address space(s)
void aspace_activate(Task* t);    // context switch: CR3 and I/O bitmap for t's running module

// A list of private-area pages that were just unmapped (to invalidate), and
// the depth whose stack window was hidden (its STACK_PAGES pages), if any.
struct StaleList {
  static constexpr unsigned MAX = 64;
  uint64_t va[MAX];
  unsigned n = 0;
  int stack = -1;
  void add(uint64_t v) { if (n < MAX) va[n++] = v; }
  bool empty() const { return n == 0 && stack < 0; }
};

// Show or hide what the code running at `depth` may see: its stack window
// and the buffer windows of the call that created that depth (c may be null).
void aspace_show_depth(Task* t, unsigned depth, const CallFrame* c);
void aspace_hide_depth(Task* t, unsigned depth, const CallFrame* c, StaleList* stale);
// The stack window alone (what the fastpath edits): one store to the PDE of
// the window's 2 MiB region (task.h). Depth d's window ends at (d+1) MiB, so
// depths 2k and 2k+1 share region k.
static_assert(layout::MAX_DEPTH % 2 == 0);
static_assert(pt_index(layout::stack_bottom(0), 2) == 0 && pt_index(layout::stack_bottom(1), 2) == 0 &&
              pt_index(layout::stack_bottom(2), 2) == 1 &&
              pt_index(layout::stack_bottom(layout::MAX_DEPTH - 1), 2) == layout::MAX_DEPTH / 2 - 1);
inline void aspace_show_stack(Task* t, unsigned depth) {
  t->stack_pde[depth >> 1] = t->stack_pde_val[depth >> 1][1 + (depth & 1)];
}
inline void aspace_hide_stack(Task* t, unsigned depth, StaleList* stale) {
  t->stack_pde[depth >> 1] = t->stack_pde_val[depth >> 1][0];
  // Only INVLPG-based variants invalidate page by page: flush=cr3 reloads
  // CR3, flush=pcid invalidates stacks lazily per PCID (aspace_switch_slot).
  // An INVLPG of a window page also drops the cached PDE (SDM Vol. 3A
  // §4.10.4.1: every paging-structure-cache entry of the PCID goes).
  if (g_cfg.flush == Flush::Invlpg || g_cfg.flush == Flush::None) stale->stack = (int)depth;
}

// Point the module slot at `to` (now running at `depth`) and invalidate as
// g_cfg.flush says; also moves the I/O-port grant from `from` to `to`.
void aspace_switch_module(Task* t, uint32_t from, uint32_t to, unsigned depth, const StaleList& stale);
uint64_t pcid_of(const Task* t, uint32_t module);
// The leaf PTE the caller's mapping has for va (module area of `module` or
// the task's private area), 0 if not a present user page.
uint64_t aspace_user_pte(Task* t, uint32_t module, uint64_t va);

// ---- the slot switch itself, inline: the fastpath's common cases are a few
// instructions; the rare and heavy parts are the out-of-line calls below.
// (Stack windows include the pages lent into that depth's mmap area.)
void aspace_invlpg_stale(const Task* t, const StaleList& stale);                        // each page listed
void aspace_invlpg_module(const Task* t, const Module* from, const StaleList& stale);  // flush=invlpg, small module
void aspace_invlpg_stacks(const Task* t, uint8_t depths);                               // stack windows of these depths
// Take back what depth d was lent (sys_mmap.cpp): the module at depth d is
// returning, in its own context (current CR3), and the next one there must
// inherit nothing. Both return paths call it when t->mmap_lent(d).
void mmap_revoke(Task* t, unsigned depth);
uint64_t aspace_cr3_first(Task* t, uint32_t module);  // flush=pcid: new PML4, first (flushing) load, no PCID
extern uint32_t g_io_module;  // module whose ports the TSS bitmap grants now

// CR3 value (with PCID) for t running `module`.
inline uint64_t aspace_cr3(Task* t, uint32_t module) {
  if (t->pml4) return t->pml4;
  // An earlier load flushed this PCID: its entries are the module's own.
  if (const uint64_t v = t->pcid_cr3[module]) return v;
  return aspace_cr3_first(t, module);
}

// For modules that hold no port grant (the fastpath) the I/O bitmap stays as
// it is; this records who runs.
inline void aspace_io_follows(uint32_t to) { g_io_module = to; }

// Point the module slot at module `to` (running at `depth` from now on) and
// invalidate what the change left stale, as flush= says (SDM Vol. 3A
// §4.10.4). No I/O-bitmap work (aspace_switch_module does that). Both ids
// are modules that are loaded.
[[gnu::always_inline]] inline void aspace_switch_slot(Task* t, uint32_t from, uint32_t to, unsigned depth,
                                                      const StaleList& stale) {
  const Module* mf = &g_modules[from];
  const Module* mt = &g_modules[to];
  switch (g_cfg.flush) {
    case Flush::Cr3:
      // Rewrite the module-slot PML4E, then reload CR3: every non-global
      // translation (old module, hidden windows) is gone; the kernel's global
      // pages survive.
      phys_ptr(t->pml4)[layout::SLOT_MODULE] = slot_entry(mt->pdpt);
      cpu::write_cr3(t->pml4);
      break;
    case Flush::Invlpg:
      // Rewrite the PML4E, then INVLPG every page the old entry could have
      // translated and every hidden window page (INVLPG also drops the
      // paging-structure caches of the current PCID, §4.10.4.1, so the cached
      // PML4E goes too) -- or, for a module that can occupy more TLB entries
      // than the ceiling, reload CR3 (the kernel's pages are global and stay).
      phys_ptr(t->pml4)[layout::SLOT_MODULE] = slot_entry(mt->pdpt);
      // (invlpg_max, default 33: Linux bounds INVLPG work the same way,
      // arch/x86/mm/tlb.c tlb_single_page_flush_ceiling.)
      if (mf->tlb_entries > g_cfg.invlpg_max) cpu::write_cr3(t->pml4);
      else aspace_invlpg_module(t, mf, stale);
      break;
    case Flush::None:
      // The deliberate bug: the module-slot PML4E changes but the old
      // module's translations are not invalidated, so the callee can go on
      // using the caller's pages through stale TLB entries (the private
      // area is still invalidated, so only the slot swap is wrong).
      phys_ptr(t->pml4)[layout::SLOT_MODULE] = slot_entry(mt->pdpt);
      aspace_invlpg_stale(t, stale);
      break;
    case Flush::Pcid: {
      // No PML4E rewrite: each (task, module) pair has its own PML4 and PCID,
      // so a module switch is a CR3 load with bit 63 set (no flush). What
      // changed in the shared private area must still be invalidated:
      // hidden buffer windows now, in the PCID that used them; stacks of
      // other depths lazily, in the PCID being entered, if it may hold them.
      if (stale.n) aspace_invlpg_stale(t, stale);  // (stack windows are not listed: see below)
      const uint64_t cr3 = t->pcid_cr3[to];
      cpu::write_cr3(cr3 ? cr3 : aspace_cr3_first(t, to));
      uint8_t& mask = t->pcid_stack_mask[to];
      const uint8_t here = (uint8_t)(1u << depth);
      if (mask != here) {
        if (mask & ~here) aspace_invlpg_stacks(t, mask & ~here);
        mask = here;
      }
      break;
    }
  }
  t->cur_module = to;
}
