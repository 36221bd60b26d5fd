// The guest's memory layout, in one place (xv6 memlayout.h style).
//
// Virtual address space of every task (x86-64, 4-level paging, 48-bit):
//
//   PML4 slot   virtual range                              what
//   ---------   ----------------------------------------   -----------------------------------
//   0           0x0000000000000000 - 0x0000007FFFFFFFFF    unmapped: null-pointer guard
//   1           0x0000008000000000 - 0x000000FFFFFFFFFF    MODULE AREA: the running module.
//                                                           The PML4E points at the module's
//                                                           own PDPT; module id k uses only
//                                                           PDPT entry k (1 GiB at
//                                                           MODULE_AREA + k GiB), so all
//                                                           modules can also share one PDPT
//                                                           (mode=monolithic).
//   2           0x0000010000000000 - 0x0000017FFFFFFFFF    TASK-PRIVATE AREA: per task. Stack
//                                                           window per call depth, buffer
//                                                           window per call depth.
//   3 - 510     unmapped
//   511         0xFFFFFF8000000000 - 0xFFFFFFFFFFFFFFFF    KERNEL AREA: PDPT entry 510 maps
//                                                           physical 0..1 GiB at KERNEL_BASE
//                                                           with 2 MiB global supervisor pages.
//                                                           The kernel image runs there.
//                                                           PDPT entry 511 (KERNEL_MMIO): the
//                                                           interrupt controllers' registers,
//                                                           4 KiB uncached supervisor pages.
//
// Inside one module's GiB (base = MODULE_AREA + id GiB):
//   base + 0           ELF image (linked here: code, rodata, data, bss)
//   base + MOD_HEAP    heap / working set, `heap_pages` 4 KiB pages, NX
//   base + MOD_DEVICE  device memory granted to a driver (VGA text at 0xB8000)
//
// Inside the task-private area (base = PRIVATE_AREA):
//   stack window of depth d: [PRIVATE_AREA + (d+1) MiB - STACK_PAGES*4K, PRIVATE_AREA + (d+1) MiB)
//   buffer window of depth d: PRIVATE_AREA + 1 GiB + d * 16 MiB, up to WINDOW_PAGES pages
//   mmap area of depth d: PRIVATE_AREA + d MiB + 64 KiB, MMAP_PAGES pages (lent pages)
//   Only the running depth's stack, mmap area and buffer windows are present.
//
// Physical: the kernel is loaded at 1 MiB (multiboot); frames from the end of
// the image to the top of RAM (at most 1 GiB) feed the page allocator.
#pragma once
#include <stdint.h>

namespace layout {

inline constexpr uint64_t GiB = 1ull << 30, MiB = 1ull << 20, KiB = 1ull << 10;

inline constexpr unsigned SLOT_NULL = 0;
inline constexpr unsigned SLOT_MODULE = 1;
inline constexpr unsigned SLOT_PRIVATE = 2;
inline constexpr unsigned SLOT_KERNEL = 511;

inline constexpr uint64_t MODULE_AREA = 1ull << 39;   // slot 1
inline constexpr uint64_t PRIVATE_AREA = 2ull << 39;  // slot 2
inline constexpr uint64_t KERNEL_BASE = 0xFFFFFFFF80000000ull;  // slot 511, PDPT entry 510
inline constexpr uint64_t KERNEL_MMIO = 0xFFFFFFFFC0000000ull;  // slot 511, PDPT entry 511
inline constexpr uint64_t KERNEL_LOAD_PHYS = 1 * MiB;
inline constexpr uint64_t PHYS_LIMIT = 1 * GiB;  // what the kernel mapping covers

inline constexpr unsigned MAX_MODULES = 32;  // ids 1..31; PDPT entry = id
inline constexpr uint64_t MOD_HEAP = 256 * MiB;
inline constexpr uint64_t MOD_DEVICE = 512 * MiB;
constexpr uint64_t module_base(unsigned id) { return MODULE_AREA + id * GiB; }

inline constexpr unsigned MAX_DEPTH = 8;  // call depths 0..7 (0 = the task's home module)
inline constexpr unsigned STACK_PAGES = 4;
inline constexpr unsigned WINDOW_PAGES = 40;  // two buffers of up to 64 KiB + edges
inline constexpr uint64_t MAX_BUFFER = 64 * KiB;
constexpr uint64_t stack_top(unsigned depth) { return PRIVATE_AREA + (depth + 1) * MiB; }
constexpr uint64_t stack_bottom(unsigned depth) { return stack_top(depth) - STACK_PAGES * 4096; }
constexpr uint64_t window_base(unsigned depth) { return PRIVATE_AREA + GiB + depth * 16 * MiB; }

constexpr bool in_module_area(uint64_t va) { return (va >> 39) == SLOT_MODULE; }
constexpr bool in_private_area(uint64_t va) { return (va >> 39) == SLOT_PRIVATE; }
// The module whose GiB of the module area holds va (0: none).
constexpr uint32_t module_of(uint64_t va) { return in_module_area(va) ? (uint32_t)((va - MODULE_AREA) / GiB) : 0; }

// Physical <-> kernel virtual (valid for physical addresses below PHYS_LIMIT).
constexpr uint64_t p2v(uint64_t pa) { return pa + KERNEL_BASE; }
constexpr uint64_t v2p(uint64_t va) { return va - KERNEL_BASE; }

}  // namespace layout
