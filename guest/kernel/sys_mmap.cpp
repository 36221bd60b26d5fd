// SYS_mmap(op, a1, a2): a server lends pages of its own module area to its
// caller, the module one depth up the task's call stack (slotlab_abi.h,
// MmapOp); in mode=ipc, to the client task whose request it serves.
//
// Where the pages land: the mmap area of the caller's depth, inside the 2 MiB
// region of the private area that holds that depth's stack window, in the
// version of that region's page table where that depth is visible (task.h).
// So a lent page appears and disappears with the caller's stack -- one PDE
// store, on the general path and the fastpath alike -- and every callee the
// caller calls later is kept from it exactly as from that stack; its
// translations are invalidated with the stack's (aspace.cpp invlpg_stack).
// When the caller's own call returns, what it was lent is taken back
// (mmap_revoke): the next module to run at that depth inherits nothing.
//
// What may be lent: the server's heap, its mapped shared segments and the
// device memory it was granted and can itself reach from ring 3 (cons's VGA
// page; not a driver's supervisor-only registers), whose frames are never
// freed; not SYS_mem pages (an unmap would free a frame the caller still
// maps), not code. The rights are the server's choice, capped by its own
// mapping; never execute; a device page keeps its caching attributes.
#include "guest/kernel/aspace.h"
#include "guest/kernel/config.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

using namespace layout;

namespace {
// The page table depth d's mmap area lives in (kernel virtual): the version of
// its stack region where depth d is visible.
uint64_t* mmap_table(const Task* t, unsigned d) { return phys_ptr(t->stack_pde_val[d >> 1][1 + (d & 1)] & x86::PTE_ADDR); }
bool used(const Task* t, unsigned d, unsigned i) { return t->mmap_used[d][i / 64] >> (i % 64) & 1; }
void set_used(Task* t, unsigned d, unsigned i, bool on) {
  if (on) t->mmap_used[d][i / 64] |= 1ull << (i % 64);
  else t->mmap_used[d][i / 64] &= ~(1ull << (i % 64));
}
// Unmap page i of depth d's area. The translation can be cached only in the
// context that runs at depth d, which is the current one whenever this runs
// (the module at depth d unmaps, or its call returns): INVLPG there, before
// any other module can be shown that depth (SDM Vol. 3A §4.10.4.1).
void drop(Task* t, unsigned d, unsigned i) {
  const uint64_t va = mmap_area(d) + i * 4096ull;
  mmap_table(t, d)[pt_index(va, 1)] = 0;
  set_used(t, d, i, false);
  cpu::invlpg(va);
}

bool lendable(const Module& m, uint64_t va) {
  const uint64_t base = module_base(m.info.id);
  if (va >= base + MOD_HEAP && va < base + MOD_HEAP + m.info.heap_pages * 4096ull) return true;
  const bool shm = va >= base + abi::MOD_SHM && va < base + abi::MOD_SHM + abi::MOD_SHM_BYTES;
  const bool device = va >= base + MOD_DEVICE && va < base + GiB;  // above it: nothing but the device
  if (!shm && !device) return false;
  for (unsigned r = 0; r < m.nranges; ++r)  // a segment mapped here (sys_shm.cpp), or the device (module.cpp)
    if (va >= m.ranges[r].va && va < m.ranges[r].va + m.ranges[r].npages * 4096ull) return true;
  return false;
}

int64_t lend(Task* t, const Module& m, uint64_t va, uint64_t a2) {
  const uint32_t n = (uint32_t)a2;
  const bool write = a2 & abi::MMAP_WRITE;
  // Whom to lend to: in mode=modarea the module one depth up (the server
  // runs at depth k >= 1 of the task's call stack); mode=monolithic makes no
  // kernel calls (the server runs at depth 0 itself, in the caller's
  // address space). In mode=ipc the server is a thread of its own serving a
  // client task, blocked in its call: the pages go into that client's
  // depth-0 mmap area -- not into a server thread that called this one,
  // which has no call of its own to tie the lending to.
  unsigned to = 0;
  if (g_cfg.mode == Mode::Ipc) {
    if (!t->is_server || !t->busy || !t->ipc_client || t->ipc_client->is_server) return abi::E_DEPTH;
    t = t->ipc_client;
  } else if (g_cfg.mode == Mode::ModArea) {
    if (t->calls.depth() == 0) return abi::E_DEPTH;
    to = t->calls.depth() - 1;
  } else if (t->calls.depth() != 0) {
    return abi::E_DEPTH;
  }
  if ((va & 0xFFF) || n == 0 || n > abi::MMAP_PAGES) return abi::E_INVAL;
  uint64_t pte[abi::MMAP_PAGES];
  for (uint32_t i = 0; i < n; ++i) {
    PtTranslation tr{};
    const uint64_t v = va + i * 4096ull;
    if (!lendable(m, v) || !pt_translate(g_pt, m.pdpt, 3, v, &tr) || !tr.user) return abi::E_INVAL;
    const uint64_t* leaf = pt_leaf(g_pt, m.pdpt, 3, v);
    const uint64_t caching = leaf ? *leaf & (x86::PTE_PCD | x86::PTE_PWT) : 0;  // device memory stays uncached
    pte[i] = (tr.pa & x86::PTE_ADDR) | x86::PTE_P | x86::PTE_U | x86::PTE_NX | caching | (write && tr.write ? x86::PTE_W : 0);
  }
  unsigned first = 0, run = 0;  // first fit
  for (unsigned i = 0; i < abi::MMAP_PAGES && run < n; ++i) {
    run = used(t, to, i) ? 0 : run + 1;
    if (run == 1) first = i;
  }
  if (run < n) return abi::E_INVAL;
  // The caller's area is hidden while the server runs (its depth's region
  // shows another version or none), so nothing can have cached these pages.
  uint64_t* table = mmap_table(t, to);
  for (uint32_t i = 0; i < n; ++i) {
    table[pt_index(mmap_area(to) + (first + i) * 4096ull, 1)] = pte[i];
    set_used(t, to, first + i, true);
  }
  t->mmap_depths |= (uint8_t)(1u << to);
  return (int64_t)(mmap_area(to) + first * 4096ull);
}

int64_t unmap(Task* t, uint64_t va, uint64_t n) {
  // From the depth the pages were lent at (mode=monolithic and mode=ipc: 0).
  const unsigned d = t->calls.depth();
  const uint64_t area = mmap_area(d);
  if ((g_cfg.mode != Mode::ModArea && d != 0) || (va & 0xFFF) || va < area || n == 0 ||
      n > abi::MMAP_PAGES || (va - area) / 4096 + n > abi::MMAP_PAGES)
    return abi::E_INVAL;
  const unsigned first = (unsigned)((va - area) / 4096);
  for (unsigned i = first; i < first + n; ++i)
    if (!used(t, d, i)) return abi::E_INVAL;
  for (unsigned i = first; i < first + n; ++i) drop(t, d, i);
  return 0;
}
}  // namespace

void mmap_revoke(Task* t, unsigned depth) {
  for (unsigned w = 0; w < abi::MMAP_PAGES / 64; ++w)
    for (uint64_t m = t->mmap_used[depth][w]; m; m &= m - 1) drop(t, depth, w * 64 + (unsigned)__builtin_ctzll(m));
  t->mmap_depths &= (uint8_t)~(1u << depth);
}

void sys_mmap(Task* t, TrapFrame* f) {
  switch (f->rdi) {
    case abi::MMAP_LEND: {
      const Module* m = module_get(module_of(f->rip));
      f->rax = m ? (uint64_t)lend(t, *m, f->rsi, f->rdx) : (uint64_t)abi::E_INVAL;
      return;
    }
    case abi::MMAP_UNMAP: f->rax = (uint64_t)unmap(t, f->rsi, f->rdx); return;
  }
  f->rax = (uint64_t)abi::E_INVAL;
}
