// Perf kernels: small multiboot-1 benchmark kernels built on the boot-test
// runtime (tests/boot/rt). Each runs one hand-written assembly loop whose
// instruction count per iteration is fixed (the loop is a function symbol
// `perf_<name>_loop` with a size, so tests count it with Capstone), takes its
// iteration count from the multiboot command line ("iters=N"), and prints one
// line that the bench harness (app/bench) parses:
//
//   perf <name> iters=<N> k=<K> loop_insns=<N*K> checksum=<hex>
//
// The checksum depends only on the guest's arithmetic, so slotlab and QEMU
// must print the same one (ctest perf.compare.*).
#pragma once
#include <stdint.h>

// Value of "key=<decimal>" on the multiboot command line, or `def`.
uint64_t perf_arg(const char* key, uint64_t def);
// Maps `pages` 4 KiB pages at PERF_VA (PML4 slot 1) onto physical memory
// from `pa`, read/write, supervisor, and returns PERF_VA.
uint64_t perf_map_pages(uint64_t pages, uint64_t pa);
void perf_report(const char* name, uint64_t iters, uint64_t k, uint64_t checksum);

// Slot 1 of the PML4: outside the runtime's 1 GiB identity map.
constexpr uint64_t PERF_VA = 0x8000000000ull;
