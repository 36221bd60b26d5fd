// Panel 7, "TLB": every array of the model (and each paging-structure cache)
// as a sets x ways grid with each valid entry's VPN, PFN, size, PCID, G and
// permissions. The entries the next instruction fetch (RIP) and a stack read
// (RSP) would hit are marked (the model's "current" entries; the dump has
// recency only per set), and, against the previous stop, the entries filled
// since (and what they replaced). Hit/miss counters per array, and the miss rate per call/return
// interval from the engine's history (a plot over time).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ui/model/frame.h"

namespace slot::ui {

struct TlbCell {
  bool valid = false;
  mmu::TlbEntryView e;
  uint64_t age = 0;       // recency rank within its set (0 = most recently used)
  bool filled = false;    // new since the previous stop (or replaced an entry)
  bool serves_fetch = false, serves_stack = false;  // the next fetch at RIP / a read at RSP hits it
  std::string text;       // "8000400 -> 1a3f  4K P7 G rwx"
  std::string replaced;   // "" or the entry this fill evicted ("was ...")
};

struct TlbGrid {
  TlbArrayInfo info;
  std::vector<TlbCell> cells;   // sets * ways, row-major by set
  unsigned valid = 0;
  uint64_t hits = 0, misses = 0, fills = 0, evictions = 0;
  bool has_stats = false;
  const TlbCell& at(unsigned set, unsigned way) const { return cells[size_t(set) * info.ways + way]; }
};

struct TlbView {
  std::vector<TlbGrid> grids;
  // Misses per 1000 instructions in each interval between history points.
  std::vector<float> l1_mpki, l2_mpki;
  uint64_t l1_hits = 0, l1_misses = 0, l2_hits = 0, l2_misses = 0, walks = 0, stale = 0;
};

// `prev` may be null (no fill marks).
TlbView make_tlb(const Frame& f, const Frame* prev, const History& h);
std::string tlb_entry_text(const mmu::TlbEntryView& e, bool psc);

}  // namespace slot::ui
