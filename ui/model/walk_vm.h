// Panel 6, "Page walk": the four levels of a side-effect-free walk of the
// current page tables (Mmu::debug_walk), each entry's address, raw value and
// decoded bits, where the walk ended and why, and whether a paging-structure
// cache or the TLB would serve the same access now (SDM Vol. 3A §4.5, §4.10).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/stats.h"

namespace slot::ui {

struct WalkRow {
  std::string level;      // "PML4E"
  unsigned index = 0;     // the 9-bit index of the virtual address at this level
  uint64_t entry_pa = 0;  // physical address of the entry
  uint64_t raw = 0;
  std::string bits;       // "P W U A -> 0x1234000"
  bool from_psc = false, leaf = false, failed = false;
  std::string note;       // "from PDE cache", "maps a 2M page", "fault: not-present"
};

struct WalkView {
  uint64_t linear = 0;
  bool ok = false;
  std::vector<WalkRow> rows;
  std::string result;     // "-> 0x1234567 (4K page, R W U NX)" or "fault at PDE: not-present, error code 0x4"
  std::string cache;      // "TLB: L1 DTLB would hit (stale!)" ...
  bool stale = false;
};

WalkView make_walk(const mmu::DebugWalk& w);

// The same walk as a tree, PML4 -> PDPT -> PD -> PT -> frame: at each level
// the table (its physical base), the entry used (index, value, bits) and who
// would supply it now (memory or a paging-structure cache).
struct TreeLevel {
  std::string level;       // "PML4E"
  uint64_t table = 0;      // physical base of the table holding the entry
  unsigned index = 0;
  uint64_t raw = 0;
  std::string bits;
  std::string served;      // "memory", "PML4E cache" (SDM Vol. 3A §4.10.3)
  bool psc = false, leaf = false, failed = false;
  bool differs = false;    // compare(): not the same entry in the other tree
};
struct WalkTree {
  uint64_t linear = 0, cr3 = 0;
  std::string label;       // what it is ("now", "pinned at icount 123")
  std::vector<TreeLevel> levels;
  std::string end;         // "frame 0x234000 + 0x050" or "fault at PDPTE: not present"
  bool ok = false;
  bool end_differs = false;
};
WalkTree make_walk_tree(const WalkView& v, uint64_t cr3, const std::string& label);
// Marks, in both trees, the levels whose entry differs from the other's (a
// different table, index or value, or a level the other walk never reached;
// A and D are set by walks and do not count), and the ends when they differ.
// Side by side, two addresses or two moments (before and after a slot swap).
void compare_trees(WalkTree& a, WalkTree& b);

// The 9-bit index of `linear` at `level` (4 = PML4 .. 1 = PT): bits 47:39,
// 38:30, 29:21, 20:12 (SDM Vol. 3A §4.5, Figure 4-8).
inline unsigned walk_index(uint64_t linear, unsigned level) {
  return unsigned(linear >> (12 + 9 * (level - 1))) & 511;
}

}  // namespace slot::ui
