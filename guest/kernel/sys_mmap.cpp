// SYS_mmap(op, a1, a2): a server lends pages of its own module area to the
// task's home module, which called it from depth 0 (slotlab_abi.h, MmapOp);
// in mode=ipc, to the client task whose request it serves.
//
// Where the pages land: the task's depth-0 mmap area, inside the 2 MiB region
// of the private area that holds the depth-0 stack window, in the version of
// that region's page table where depth 0 is visible (task.h). So a lent page
// appears and disappears with the depth-0 stack -- one PDE store, on the
// general path and the fastpath alike -- and every callee the home module
// calls later is kept from it exactly as from that stack; its translations
// are invalidated with the stack's (aspace.cpp invlpg_stack).
//
// What may be lent: the server's heap, its mapped shared segments and the
// device memory it was granted and can itself reach from ring 3 (cons's VGA
// page; not a driver's supervisor-only registers), whose frames are never
// freed; not SYS_mem pages (an unmap would free a frame the caller still
// maps), not code. The rights are the server's choice, capped by its own
// mapping; never execute; a device page keeps its caching attributes.
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
// The page table the depth-0 mmap area lives in (kernel virtual).
uint64_t* mmap_table(const Task* t) { return phys_ptr(t->stack_pde_val[0][1] & x86::PTE_ADDR); }
bool used(const Task* t, unsigned i) { return t->mmap_used[i / 64] >> (i % 64) & 1; }
void set_used(Task* t, unsigned i, bool on) {
  if (on) t->mmap_used[i / 64] |= 1ull << (i % 64);
  else t->mmap_used[i / 64] &= ~(1ull << (i % 64));
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
  // The caller must be the task's home module at depth 0 (mode=monolithic
  // makes no kernel calls: the server runs at depth 0 itself). In mode=ipc
  // the server is a thread of its own serving a client task, blocked in its
  // call: the pages go into that client's depth-0 mmap area -- not into a
  // server thread that called this one.
  if (g_cfg.mode == Mode::Ipc) {
    if (!t->is_server || !t->busy || !t->ipc_client || t->ipc_client->is_server) return abi::E_DEPTH;
    t = t->ipc_client;
  } else if (t->calls.depth() != (g_cfg.mode == Mode::Monolithic ? 0u : 1u)) {
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
    run = used(t, i) ? 0 : run + 1;
    if (run == 1) first = i;
  }
  if (run < n) return abi::E_INVAL;
  uint64_t* table = mmap_table(t);
  for (uint32_t i = 0; i < n; ++i) {
    table[pt_index(abi::MMAP_AREA + (first + i) * 4096ull, 1)] = pte[i];
    set_used(t, first + i, true);
  }
  return (int64_t)(abi::MMAP_AREA + first * 4096ull);
}

int64_t unmap(Task* t, uint64_t va, uint64_t n) {
  if (t->calls.depth() != 0 || (va & 0xFFF) || va < abi::MMAP_AREA || n == 0 || n > abi::MMAP_PAGES ||
      (va - abi::MMAP_AREA) / 4096 + n > abi::MMAP_PAGES)
    return abi::E_INVAL;
  const unsigned first = (unsigned)((va - abi::MMAP_AREA) / 4096);
  for (unsigned i = first; i < first + n; ++i)
    if (!used(t, i)) return abi::E_INVAL;
  uint64_t* table = mmap_table(t);
  for (unsigned i = first; i < first + n; ++i) {
    table[pt_index(abi::MMAP_AREA + i * 4096ull, 1)] = 0;
    set_used(t, i, false);
    cpu::invlpg(abi::MMAP_AREA + i * 4096ull);  // visible only here: depth 0, this task's (home) context
  }
  return 0;
}
}  // namespace

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
