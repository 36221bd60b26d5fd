// An independent 4-level page walk for the tests, written from the SDM
// (Vol. 3A §4.5, Figure 4-8 and Tables 4-14 .. 4-20), not from mmu/walker.cpp:
// PML4 base = CR3[51:12]; each level indexes 9 address bits (47:39, 38:30,
// 29:21, 20:12); an entry with P=0 ends the walk; PS=1 in a PDPTE or PDE maps
// a 1 GiB or 2 MiB page. Reserved-bit and permission checks are not modelled
// (the guest's tables have none set).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

namespace slot::ui::test {

struct RefStep {
  unsigned level = 4;
  uint64_t entry_pa = 0, raw = 0;
  bool leaf = false;
};
struct RefWalk {
  bool ok = false;
  uint64_t pa = 0;
  unsigned page_shift = 12;
  std::vector<RefStep> steps;
};

inline RefWalk ref_walk(const std::function<uint64_t(uint64_t)>& read64, uint64_t cr3, uint64_t va) {
  constexpr uint64_t kAddr = 0x000FFFFFFFFFF000ull;  // bits 51:12
  RefWalk w;
  uint64_t table = cr3 & kAddr;
  for (unsigned level = 4; level >= 1; --level) {
    const unsigned shift = 12 + 9 * (level - 1);
    const uint64_t index = (va >> shift) & 511;
    RefStep s;
    s.level = level;
    s.entry_pa = table + index * 8;
    s.raw = read64(s.entry_pa);
    const bool present = s.raw & 1;
    s.leaf = present && (level == 1 || ((level == 3 || level == 2) && (s.raw & (1ull << 7))));
    w.steps.push_back(s);
    if (!present) return w;
    if (s.leaf) {
      const uint64_t size = 1ull << shift;
      w.ok = true;
      w.page_shift = shift;
      w.pa = ((s.raw & kAddr) & ~(size - 1)) | (va & (size - 1));
      return w;
    }
    table = s.raw & kAddr;
  }
  return w;
}

}  // namespace slot::ui::test
