// Victim choice for set-associative structures. Every structure keeps one
// use stamp per way (a global counter value written on each hit and fill),
// which is all three policies need:
//  - LRU: the way with the oldest stamp.
//  - tree-PLRU: a binary tree over the ways whose node bits point away from
//    the most recently used half. The bits are a function of the access
//    sequence, and "the half holding the newest stamp" is exactly that
//    function, so we descend towards the half whose newest stamp is older.
//    Odd way counts (Skylake's 12-way STLB) split as [0, ceil(n/2)) | rest.
//  - random: a seeded xorshift64* generator, so runs are repeatable.
// Invalid ways are always filled first (lowest index), as hardware does.
#pragma once
#include <cstdint>

#include "mmu/types.h"

namespace slot::mmu {

struct Rng {
  uint64_t state = 1;
  explicit Rng(uint64_t seed = 1) : state(seed ? seed : 0x9E3779B97F4A7C15ull) {}
  uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
  }
};

// `stamps[i]` of each (valid) way; n >= 1.
unsigned pick_victim(Policy p, const uint64_t* stamps, unsigned n, Rng& rng);
// The same choice for a fixed policy and way count, resolved once (a
// structure's own): no dispatch on either at each choice.
using VictimFn = unsigned (*)(const uint64_t* stamps, unsigned n, Rng& rng);
VictimFn victim_fn(Policy p, unsigned n);

}  // namespace slot::mmu
