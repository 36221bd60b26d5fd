// SYS_shm(op, a1, a2): named shared-memory segments (slotlab_abi.h, ShmOp).
// A segment's frames are made, zeroed, at its first map and kept for the
// whole boot; the boot manifest says which module may map which segment, its
// size, and whether writable (manifest.h, ShmGrant). A map lands in the
// module's own page tables -- so every task running the module sees it, as
// the discussion puts shared segments in the module area -- and an unmap pays
// what SYS_mem's does: INVLPG here, every other (task, PCID) that ran the
// module flushed at its next CR3 load.
#include "guest/kernel/kprintf.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/module.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

using namespace layout;

namespace {
struct Segment {
  uint64_t name = 0;
  uint32_t pages = 0;
  uint64_t frames[abi::SHM_MAX_PAGES] = {};
};
Segment g_segments[16];

// Where module id maps segments: page-aligned, inside its MOD_SHM range.
bool shm_va_ok(uint32_t id, uint64_t va, uint32_t pages) {
  const uint64_t lo = module_base(id) + abi::MOD_SHM;
  return !(va & 0xFFF) && va >= lo && va - lo <= abi::MOD_SHM_BYTES - pages * 4096ull;
}

Segment* segment(uint64_t name, uint32_t pages) {
  for (Segment& s : g_segments)
    if (s.name == name) return s.pages == pages ? &s : nullptr;  // the manifest's lines disagree: refused
  for (Segment& s : g_segments)
    if (!s.name) {
      for (uint32_t i = 0; i < pages; ++i) s.frames[i] = alloc_zeroed_page();
      s.name = name, s.pages = pages;
      return &s;
    }
  return nullptr;
}

int64_t map(Module& m, uint64_t name, uint64_t va) {
  const ShmGrants& grants = module_shm_grants(m.info.id);
  const ShmGrant* g = nullptr;
  for (unsigned i = 0; i < grants.n; ++i)
    if (grants.g[i].name == name) g = &grants.g[i];
  if (!g || !name) return abi::E_DENIED;
  if (!shm_va_ok(m.info.id, va, g->pages)) return abi::E_INVAL;
  for (uint32_t i = 0; i < g->pages; ++i) {
    const uint64_t* pte = pt_leaf(g_pt, m.pdpt, 3, va + i * 4096ull);
    if (pte && (*pte & x86::PTE_P)) return abi::E_INVAL;
  }
  Segment* s = segment(name, g->pages);
  if (!s || !module_add_range(m, va, g->pages)) return abi::E_INVAL;
  const uint64_t flags = x86::PTE_U | x86::PTE_NX | (g->write ? x86::PTE_W : 0);
  for (uint32_t i = 0; i < s->pages; ++i)
    if (!pt_map(g_pt, m.pdpt, 3, va + i * 4096ull, s->frames[i], flags)) panic("SYS_shm: map failed");
  m.tlb_entries += s->pages;
  return s->pages;
}

int64_t unmap(Task* self, Module& m, uint64_t va) {
  uint32_t pages = 0;
  for (unsigned r = 0; r < m.nranges; ++r)
    if (m.ranges[r].va == va && shm_va_ok(m.info.id, va, m.ranges[r].npages)) pages = m.ranges[r].npages;
  if (!pages) return abi::E_INVAL;
  uint64_t frames[abi::SHM_MAX_PAGES];
  int64_t marked = 0;
  module_unmap(self, m, va, pages, frames, &marked);  // the frames stay the segment's
  module_remove_range(m, va);
  return marked;
}
}  // namespace

void sys_shm(Task* t, TrapFrame* f) {
  Module* m = module_get(module_of(f->rip));
  if (!m) return void(f->rax = (uint64_t)abi::E_INVAL);
  switch (f->rdi) {
    case abi::SHM_MAP: f->rax = (uint64_t)map(*m, f->rsi, f->rdx); return;
    case abi::SHM_UNMAP: f->rax = (uint64_t)unmap(t, *m, f->rsi); return;
  }
  f->rax = (uint64_t)abi::E_INVAL;
}
