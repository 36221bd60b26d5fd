// The module slot and the private area, with the invalidation rules of SDM
// Vol. 3A §4.10.4: after a paging-structure entry is changed, the TLB and the
// paging-structure caches may still hold the old translation until software
// invalidates it (§4.10.4.2 "recommended invalidation").
#include "guest/kernel/aspace.h"

#include "guest/kernel/annotate.h"
#include "guest/kernel/config.h"
#include "guest/kernel/cpufeat.h"
#include "guest/kernel/desc.h"
#include "guest/kernel/kprintf.h"
#include "guest/kernel/module.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

using namespace layout;

uint32_t g_io_module;

namespace {
bool g_io_all;  // mode=monolithic: every module's ports, all the time

void io_switch(uint32_t to) {
  if (g_cfg.mode == Mode::Monolithic) {
    // One address space, direct calls: the kernel cannot tell which module
    // runs, so the grants are the union (part of what isolation costs).
    if (!g_io_all)
      for (auto& m : g_modules)
        if (m.loaded && m.info.port_count) io_permit(m.info.port_first, m.info.port_count, true);
    g_io_all = true;
    return;
  }
  if (to == g_io_module) return;
  // Ids are below MAX_MODULES; a module that is not loaded grants nothing.
  const abi::ModInfo& was = g_modules[g_io_module].info;
  const abi::ModInfo& now = g_modules[to].info;
  if (was.port_count) io_permit(was.port_first, was.port_count, false);
  if (now.port_count) io_permit(now.port_first, now.port_count, true);
  g_io_module = to;
}

uint64_t pcid_pml4(Task* t, uint32_t module) {
  if (!t->pcid_pml4[module]) {
    t->pcid_pml4[module] = new_pml4(module_get(module)->pdpt, t->private_pdpt);
    char name[40];
    unsigned n = 0;
    for (const char* s = t->name; *s && n < 15; ++s) name[n++] = *s;
    name[n++] = '/';
    for (const char* s = module_get(module)->info.name; *s && n < 38; ++s) name[n++] = *s;
    name[n] = 0;
    annotate_address_space(t->pcid_pml4[module] | pcid_of(t, module), t->slot, module, name);
  }
  return t->pcid_pml4[module];
}

// flush=invlpg: INVLPG the old module's pages that may be cached. A TLB entry
// is only ever created through a walk that set the PTE's accessed flag (SDM
// Vol. 3A §4.8, §4.10.2), so a page whose A flag is still clear since its
// last invalidation cannot be cached: clear A and INVLPG only where A is set.
unsigned invlpg_accessed(const Module* m) {
  unsigned n = 0;
  for (unsigned r = 0; r < m->nranges; ++r) {
    uint64_t va = m->ranges[r].va, end = va + m->ranges[r].npages * 4096ull;
    while (va < end) {
      uint64_t* pte = pt_leaf(g_pt, m->pdpt, 3, va);
      // walk this page table to its end (or the range's) without re-walking
      uint64_t block_end = (va | (x86::PAGE_2M - 1)) + 1;
      if (!pte) {  // a 2 MiB page (workload=bench pages=2m): one entry, one INVLPG
        uint64_t& pde = phys_ptr<uint64_t>(m->pd)[pt_index(va, 2)];
        if ((pde & x86::PTE_PS) && (pde & x86::PTE_A)) {
          pde &= ~x86::PTE_A;
          cpu::invlpg(va);
          ++n;
        }
        va = block_end;
        continue;
      }
      for (; va < end && va < block_end; va += 4096, ++pte) {
        if (*pte & x86::PTE_A) {
          *pte &= ~x86::PTE_A;
          cpu::invlpg(va);
          ++n;
        }
      }
    }
  }
  return n;
}

// Depth d's stack window and the pages lent into its mmap area (sys_mmap.cpp),
// which live in the same page table and come and go with it.
void invlpg_stack(const Task* t, unsigned depth) {
  for (unsigned p = 0; p < STACK_PAGES; ++p) cpu::invlpg(stack_bottom(depth) + p * 4096ull);
  for (unsigned w = 0; w < abi::MMAP_PAGES / 64; ++w)
    for (uint64_t m = t->mmap_used[depth][w]; m; m &= m - 1)
      cpu::invlpg(mmap_area(depth) + (w * 64 + (unsigned)__builtin_ctzll(m)) * 4096ull);
}
}  // namespace

// Without PCID support (QEMU 7.2 TCG has none) flush=pcid keeps its PML4 per
// (task, module) pair but runs everything under PCID 0: every CR3 load flushes.
uint64_t pcid_of(const Task* t, uint32_t module) {
  return cpu_has_pcid() ? (uint64_t)t->slot * MAX_MODULES + module : 0;
}

void aspace_task_init(Task* t) {
  t->private_pdpt = alloc_zeroed_page();
  for (unsigned d = 0; d < MAX_DEPTH; ++d)
    for (unsigned p = 0; p < STACK_PAGES; ++p) t->stack_frames[d][p] = alloc_zeroed_page();
  // The stack windows' page tables (task.h): region k holds the windows of
  // depths 2k and 2k+1, in three versions; region 0 also maps the kernel-info
  // page (read-only, at the start of the private area) in every version.
  const uint64_t pd = alloc_zeroed_page();
  phys_ptr(t->private_pdpt)[pt_index(PRIVATE_AREA, 3)] = slot_entry(pd);
  t->stack_pde = phys_ptr(pd);
  for (unsigned k = 0; k < MAX_DEPTH / 2; ++k)
    for (unsigned v = 0; v < 3; ++v) {
      const uint64_t pt = alloc_zeroed_page();
      uint64_t* e = phys_ptr(pt);
      if (k == 0) e[pt_index(PRIVATE_AREA, 1)] = kinfo_page() | x86::PTE_U | x86::PTE_NX | x86::PTE_P;
      if (v) {
        const unsigned d = 2 * k + v - 1;
        for (unsigned p = 0; p < STACK_PAGES; ++p)
          e[pt_index(stack_bottom(d) + p * 4096ull, 1)] =
              t->stack_frames[d][p] | x86::PTE_W | x86::PTE_U | x86::PTE_NX | x86::PTE_P;
      }
      t->stack_pde_val[k][v] = slot_entry(pt);
    }
  for (unsigned k = 0; k < MAX_DEPTH / 2; ++k) t->stack_pde[k] = t->stack_pde_val[k][0];
  aspace_show_depth(t, 0, nullptr);
  t->pcid_stack_mask[t->home_module] = 1;  // flush=pcid: the home PCID holds the depth-0 stack
  switch (g_cfg.mode) {
    case Mode::Monolithic: t->pml4 = new_pml4(monolithic_pdpt(), t->private_pdpt); break;
    default:
      if (g_cfg.flush != Flush::Pcid) t->pml4 = new_pml4(module_get(t->home_module)->pdpt, t->private_pdpt);
      break;
  }
}

void aspace_announce(Task* t) {
  if (t->pml4) annotate_address_space(t->pml4, t->slot, 0xFFFFFFFFu, t->name);
  else pcid_pml4(t, t->cur_module);
}

uint64_t aspace_cr3_first(Task* t, uint32_t module) {
  uint64_t v = pcid_pml4(t, module) | pcid_of(t, module);
  if (t->pcid_fresh[module]) t->pcid_fresh[module] = 0;  // first use: flush this PCID (bit 63 clear)
  else if (cpu_has_pcid()) v |= x86::CR3_NOFLUSH;
  // From the next load on, this PCID keeps its entries (bit 63 set).
  if (cpu_has_pcid()) t->pcid_cr3[module] = pcid_pml4(t, module) | pcid_of(t, module) | x86::CR3_NOFLUSH;
  return v;
}

void aspace_activate(Task* t) {
  // Shared-PML4 modes: a CR3 load flushes all non-global entries (SDM §4.10.4.1).
  // flush=pcid: each (task, module) PCID keeps its entries (bit 63 set).
  cpu::write_cr3(aspace_cr3(t, t->cur_module));
  io_switch(g_cfg.mode == Mode::Monolithic ? 0 : t->cur_module);
}

void aspace_show_depth(Task* t, unsigned depth, const CallFrame* c) {
  aspace_show_stack(t, depth);
  if (!c) return;
  for (unsigned b = 0; b < c->nbuf; ++b) {
    const BufferWindow& w = c->buf[b];
    for (uint32_t p = 0; p < w.npages; ++p)
      if (!pt_map(g_pt, t->private_pdpt, 3, (w.window_va & ~0xFFFull) + p * 4096ull, w.ptes[p] & x86::PTE_ADDR,
                  (w.ptes[p] & (x86::PTE_W | x86::PTE_U)) | x86::PTE_NX))
        panic("buffer window map failed");
  }
}

void aspace_hide_depth(Task* t, unsigned depth, const CallFrame* c, StaleList* stale) {
  aspace_hide_stack(t, depth, stale);
  if (!c) return;
  for (unsigned b = 0; b < c->nbuf; ++b) {
    const BufferWindow& w = c->buf[b];
    for (uint32_t p = 0; p < w.npages; ++p) {
      uint64_t va = (w.window_va & ~0xFFFull) + p * 4096ull;
      pt_unmap(g_pt, t->private_pdpt, 3, va);
      stale->add(va);
    }
  }
}

void aspace_switch_module(Task* t, uint32_t from, uint32_t to, unsigned depth, const StaleList& stale) {
  aspace_switch_slot(t, from, to, depth, stale);
  io_switch(to);
}

// The rare and heavy parts of aspace_switch_slot (aspace.h).
void aspace_invlpg_stale(const Task* t, const StaleList& stale) {
  for (unsigned i = 0; i < stale.n; ++i) cpu::invlpg(stale.va[i]);
  if (stale.stack >= 0) invlpg_stack(t, (unsigned)stale.stack);
}

void aspace_invlpg_module(const Task* t, const Module* mf, const StaleList& stale) {
  // At least one INVLPG, so the cached PML4E for the slot goes in any case.
  if (invlpg_accessed(mf) == 0 && stale.empty()) cpu::invlpg(module_base(mf->info.id));
  aspace_invlpg_stale(t, stale);
}

void aspace_invlpg_stacks(const Task* t, uint8_t depths) {
  for (unsigned d = 0; d < MAX_DEPTH; ++d)
    if (depths >> d & 1) invlpg_stack(t, d);
}

uint64_t aspace_user_pte(Task* t, uint32_t module, uint64_t va) {
  uint64_t* e = nullptr;
  if (in_module_area(va)) {
    Module* m = module_get(module);
    if (!m) return 0;
    e = pt_leaf(g_pt, m->pdpt, 3, va);
  } else if (in_private_area(va)) {
    e = pt_leaf(g_pt, t->private_pdpt, 3, va);
  }
  if (!e || !(*e & x86::PTE_P) || !(*e & x86::PTE_U)) return 0;
  return *e;
}
