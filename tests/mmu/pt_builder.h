// Test helper: builds 4-level page tables in a PhysMemory, the way a kernel
// would, so MMU tests run against real paging structures.
#pragma once
#include <cstdint>

#include "mmu/arch.h"
#include "mmu/phys.h"
#include "mmu/types.h"

namespace slot::mmu::test {

inline constexpr uint64_t kPWU = x86::PTE_P | x86::PTE_W | x86::PTE_U;

struct PtBuilder {
  PhysMemory& mem;
  uint64_t next;
  uint64_t cr3;

  explicit PtBuilder(PhysMemory& m, uint64_t base = 0x10'0000) : mem(m), next(base) { cr3 = alloc(); }

  uint64_t alloc() {
    uint64_t p = next;
    next += 4096;
    for (unsigned i = 0; i < 512; ++i) mem.write(p + i * 8, 8, 0);
    return p;
  }
  static unsigned index(uint64_t va, unsigned level) { return unsigned((va >> (12 + 9 * (level - 1))) & 511); }
  uint64_t entry_pa(uint64_t va, unsigned level, uint64_t table_root = 0) const {
    uint64_t table = table_root ? table_root : cr3;
    for (unsigned l = 4; l > level; --l) table = mem.read(table + index(va, l) * 8, 8) & x86::PHYS_ADDR_MASK;
    return table + index(va, level) * 8;
  }
  uint64_t get(uint64_t va, unsigned level) const { return mem.read(entry_pa(va, level), 8); }
  void set(uint64_t va, unsigned level, uint64_t v) { mem.write(entry_pa(va, level), 8, v); }

  // Maps `va` to `pa` with a page of `size`: upper entries get `up` (added
  // to an existing entry's flags only if the entry is new), the leaf `leaf`.
  void map(uint64_t va, uint64_t pa, PageSize size, uint64_t leaf = kPWU, uint64_t up = kPWU,
           uint64_t root = 0) {
    uint64_t table = root ? root : cr3;
    const unsigned leaf_level = 1 + unsigned(size);
    for (unsigned l = 4; l > leaf_level; --l) {
      const uint64_t epa = table + index(va, l) * 8;
      uint64_t e = mem.read(epa, 8);
      if (!(e & x86::PTE_P)) {
        e = alloc() | up;
        mem.write(epa, 8, e);
      }
      table = e & x86::PHYS_ADDR_MASK;
    }
    uint64_t v = (pa & x86::PHYS_ADDR_MASK) | leaf;
    if (size != PageSize::K4) v |= x86::PTE_PS;
    mem.write(table + index(va, leaf_level) * 8, 8, v);
  }
};

// 64-bit mode with paging: PE, PG, WP off unless asked; PAE; LME/LMA.
inline constexpr uint64_t kCr0 = x86::CR0_PE | x86::CR0_PG;
inline constexpr uint64_t kCr4 = x86::CR4_PAE;
inline constexpr uint64_t kEfer = x86::EFER_LME | x86::EFER_LMA | x86::EFER_NXE;

}  // namespace slot::mmu::test
