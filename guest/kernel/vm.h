// Kernel virtual memory: the frame allocator, the kernel-area tables every
// PML4 shares, and PML4 construction.
#pragma once
#include <stdint.h>

#include "guest/kernel/memlayout.h"
#include "guest/kernel/pagetable.h"
#include "guest/kernel/pmm.h"

extern PageAllocator g_pmm;
extern const PtEnv g_pt;  // tables reached through the kernel mapping

void vm_init(uint64_t mem_top);  // build the kernel area, enable PGE, drop the boot identity map
uint64_t alloc_zeroed_page();    // panics when memory is exhausted
void free_page(uint64_t pa);     // back to the allocator (panics on a frame it did not hand out)
template <typename T = uint64_t>
inline T* phys_ptr(uint64_t pa) { return (T*)layout::p2v(pa); }
// A new PML4: slot 1 -> module_pdpt (0 = empty), slot 2 -> private_pdpt, slot 511 -> kernel.
uint64_t new_pml4(uint64_t module_pdpt, uint64_t private_pdpt);
// Map one page of device registers at va in the kernel area (KERNEL_MMIO..):
// uncached, global, supervisor -- every address space has it, no module
// reaches it. False when no table could be allocated.
bool kernel_map_mmio(uint64_t va, uint64_t pa);
uint64_t kernel_pml4();          // kernel-only address space (slot 511 only)
inline uint64_t slot_entry(uint64_t pdpt) { return pdpt | PT_TABLE_USER; }  // PML4E of a user area PDPT
