#include "guest/kernel/vm.h"

#include "guest/kernel/kprintf.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

using namespace layout;

PageAllocator g_pmm;

namespace {
uint64_t pt_alloc(void*) { return alloc_zeroed_page(); }
uint64_t* pt_table(void*, uint64_t pa) { return phys_ptr(pa); }
uint64_t g_kernel_pdpt, g_kernel_pml4;
}  // namespace

const PtEnv g_pt{pt_alloc, pt_table, nullptr};

// A page is cleared with REP STOSQ, as Linux's clear_page_rep does: one
// string instruction instead of a 16,384-instruction byte loop (which was 64 %
// of every instruction the bench workload executed, all of it set-up).
void free_page(uint64_t pa) {
  if (!g_pmm.free(pa)) panic("freeing frame %lx that was not allocated", pa);
}

uint64_t alloc_zeroed_page() {
  uint64_t pa = g_pmm.alloc();
  if (!pa) panic("out of physical memory");
  void* d = phys_ptr(pa);
  uint64_t n = 4096 / 8;
  asm volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0ull) : "memory");
  return pa;
}

void vm_init(uint64_t mem_top) {
  extern char __kernel_end[];
  if (mem_top > PHYS_LIMIT) mem_top = PHYS_LIMIT;
  g_pmm.init(v2p((uint64_t)__kernel_end), mem_top);
  // Kernel area: PDPT entry 510 of slot 511 -> 512 x 2 MiB global supervisor
  // pages = physical 0..1 GiB at KERNEL_BASE. G counts only in entries that
  // map a page and only with CR4.PGE=1 (SDM Vol. 3A §4.10.2.4).
  uint64_t pd = alloc_zeroed_page();
  for (uint64_t i = 0; i < 512; ++i)
    phys_ptr(pd)[i] = i * x86::PAGE_2M | x86::PTE_P | x86::PTE_W | x86::PTE_PS | x86::PTE_G;
  g_kernel_pdpt = alloc_zeroed_page();
  phys_ptr(g_kernel_pdpt)[510] = pd | x86::PTE_P | x86::PTE_W;
  g_kernel_pml4 = new_pml4(0, 0);
  cpu::write_cr4(cpu::read_cr4() | x86::CR4_PGE);
  cpu::write_cr3(g_kernel_pml4);  // drops the identity map (slot 0 is empty now)
}

uint64_t new_pml4(uint64_t module_pdpt, uint64_t private_pdpt) {
  uint64_t pml4 = alloc_zeroed_page();
  uint64_t* t = phys_ptr(pml4);
  if (module_pdpt) t[SLOT_MODULE] = slot_entry(module_pdpt);
  if (private_pdpt) t[SLOT_PRIVATE] = slot_entry(private_pdpt);
  t[SLOT_KERNEL] = g_kernel_pdpt | x86::PTE_P | x86::PTE_W;
  return pml4;
}

uint64_t kernel_pml4() { return g_kernel_pml4; }

// The PML4 entry of slot 511 has no U bit, so the user bit pt_map puts in
// the intermediate entries grants nothing (SDM Vol. 3A §4.6.1).
bool kernel_map_mmio(uint64_t va, uint64_t pa) {
  if (va < KERNEL_MMIO) return false;
  return pt_map(g_pt, g_kernel_pdpt, 3, va, pa, x86::PTE_W | x86::PTE_PCD | x86::PTE_PWT | x86::PTE_G);
}
