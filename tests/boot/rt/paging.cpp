// Boot-test runtime: 4 KiB mappings for tests, built from a static page pool.
// The pool lies inside the identity map, so a table's physical address is
// also the pointer we write through.
#include "tests/boot/rt/rt.h"

static constexpr unsigned POOL_PAGES = 48;
alignas(4096) static uint8_t g_pool[POOL_PAGES][4096];
static unsigned g_used;

extern "C" void* rt_alloc_page() {
  if (g_used == POOL_PAGES) {
    rt_fail("rt_alloc_page: pool exhausted");
    rt_finish();
  }
  void* p = g_pool[g_used++];
  memset(p, 0, 4096);
  return p;
}

// Level 4 = PML4E, 3 = PDPTE, 2 = PDE, 1 = PTE (SDM Vol. 3A §4.5). Missing
// tables are created with P|W|U so that the leaf alone decides permissions.
extern "C" uint64_t* rt_pte(uint64_t va, int level) {
  uint64_t* table = rt_pml4;
  for (int l = 4;; l--) {
    uint64_t* e = &table[(va >> (12 + 9 * (l - 1))) & 511];
    if (l == level) return e;
    if (!(*e & x86::PTE_P)) *e = (uint64_t)rt_alloc_page() | x86::PTE_P | x86::PTE_W | x86::PTE_U;
    if (*e & x86::PTE_PS) {
      rt_fail("rt_pte: %lx is inside a large page", va);
      rt_finish();
    }
    table = (uint64_t*)(*e & x86::PTE_ADDR);
  }
}

extern "C" void rt_map(uint64_t va, uint64_t pa, uint64_t flags) {
  *rt_pte(va, 1) = pa | flags;
  invlpg((void*)va);
}

extern "C" void rt_user_2m(uint64_t pa, bool user) {
  rt_pml4[0] |= x86::PTE_U;
  rt_pdpt[0] |= x86::PTE_U;
  uint64_t& e = rt_pd[pa >> 21];
  e = user ? e | x86::PTE_U : e & ~x86::PTE_U;
  write_cr3(read_cr3());  // whole-TLB flush: simplest correct invalidation
}
