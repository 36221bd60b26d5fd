// Modules: separate ELF64 images embedded in the kernel image (modules.S),
// each loaded into its own module-area page tables: a PDPT whose only entry
// (index = module id) covers the module's GiB of PML4 slot 1.
#pragma once
#include <stdint.h>

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/manifest.h"
#include "guest/kernel/memlayout.h"

struct Task;

struct PageRange {
  uint64_t va;
  uint32_t npages;
};

struct Module {
  bool loaded = false;
  abi::ModInfo info{};
  uint64_t pdpt = 0;    // physical: what the module-slot PML4E points at
  uint64_t pd = 0;      // physical: PDPT entry `id` (shared with the monolithic PDPT)
  uint64_t entry = 0;   // ELF entry (crt0 _start)
  PageRange ranges[8] = {};  // every mapped page: what flush=invlpg must invalidate
  unsigned nranges = 0;
  uint32_t tlb_entries = 0;  // TLB entries the mapped pages can occupy (a 2 MiB page counts once)
  uint32_t brk_pages = 0;    // pages mapped above the pre-mapped heap (SYS_mem MEM_BRK)
  // Bit i: a call to module i may take the fastpath (allowed, loaded, and
  // neither module holds an I/O-port grant: the TSS bitmap stays as it is).
  uint32_t fast_calls = 0;
  uint64_t symtab_pa = 0, symtab_size = 0, strtab_pa = 0, strtab_size = 0;
  uint64_t image_pa = 0, image_size = 0;  // the embedded ELF file
};
// The segments the boot manifest lets module id map (SYS_shm): kept apart
// from Module, which the call path indexes.
struct ShmGrants {
  ShmGrant g[kMaxShmGrants];
  unsigned n = 0;
};
const ShmGrants& module_shm_grants(uint32_t id);

extern Module g_modules[layout::MAX_MODULES];
// Panics on a malformed image. Rights from the boot manifest: `manifest`
// (the boot loader's, NUL-terminated) or, when null, the embedded one.
void modules_load_all(const char* manifest);
void manifest_report();                  // prints what modules asked for and the manifest did not grant (nothing if none)
Module* module_get(uint32_t id);         // nullptr if not loaded
// Unmaps n pages at va from m's page tables, shared by every task running m:
// INVLPG here, and every other task's PCID for m marked to flush at its next
// CR3 load (sys_mem.cpp). The frames unmapped go to frames[] (room for n);
// returns how many, and *marked the address spaces marked.
unsigned module_unmap(Task* self, Module& m, uint64_t va, uint64_t n, uint64_t* frames, int64_t* marked);
// Adds/removes a range flush=invlpg must walk; false when the table is full.
bool module_add_range(Module& m, uint64_t va, uint32_t npages);
void module_remove_range(Module& m, uint64_t va);
uint32_t module_pages(const Module& m);  // number of mapped 4 KiB pages
uint64_t monolithic_pdpt();              // one PDPT holding every module's GiB
