#include "mmu/replacement.h"

namespace slot::mmu {
namespace {

uint64_t newest(const uint64_t* s, unsigned lo, unsigned hi) {
  uint64_t m = 0;
  for (unsigned i = lo; i < hi; ++i) m = s[i] > m ? s[i] : m;
  return m;
}

unsigned plru(const uint64_t* s, unsigned lo, unsigned hi) {
  while (hi - lo > 1) {
    unsigned mid = lo + (hi - lo + 1) / 2;
    // The node bit points away from the half used last; ties (never used)
    // point left, like bits reset to 0.
    if (newest(s, lo, mid) <= newest(s, mid, hi)) hi = mid; else lo = mid;
  }
  return lo;
}

// The same choice with the way count known at compile time, bottom-up: each
// node of the tree yields the newest stamp under it and the way its
// descent would end at, the left one on a tie as above. Every node is
// computed, with selects instead of branches: in a set that a TLB-
// thrashing loop cycles through, the descent's direction is as good as
// random, and a mispredicted branch costs more than the few compares saved.
struct Node {
  uint64_t newest;
  unsigned victim;
};
template <unsigned Lo, unsigned Hi>
[[gnu::always_inline]] inline Node plru_fixed(const uint64_t* s) {
  if constexpr (Hi - Lo == 1) {
    return {s[Lo], Lo};
  } else {
    constexpr unsigned Mid = Lo + (Hi - Lo + 1) / 2;
    const Node l = plru_fixed<Lo, Mid>(s), r = plru_fixed<Mid, Hi>(s);
    const bool go_left = l.newest <= r.newest;
    return {go_left ? r.newest : l.newest, go_left ? l.victim : r.victim};
  }
}

template <unsigned N>
unsigned plru_n(const uint64_t* s, unsigned, Rng&) { return plru_fixed<0, N>(s).victim; }
unsigned plru_any(const uint64_t* s, unsigned n, Rng&) { return plru(s, 0, n); }
unsigned lru(const uint64_t* s, unsigned n, Rng&) {
  unsigned v = 0;
  for (unsigned i = 1; i < n; ++i) if (s[i] < s[v]) v = i;
  return v;
}
unsigned random_way(const uint64_t*, unsigned n, Rng& rng) { return unsigned(rng.next() % n); }
unsigned only_way(const uint64_t*, unsigned, Rng&) { return 0; }

}  // namespace

VictimFn victim_fn(Policy p, unsigned n) {
  if (n <= 1) return only_way;
  switch (p) {
    case Policy::Lru: return lru;
    case Policy::Plru:
      switch (n) {  // the associativities of the presets
        case 2: return plru_n<2>;
        case 4: return plru_n<4>;
        case 8: return plru_n<8>;
        case 12: return plru_n<12>;
        case 16: return plru_n<16>;
        default: return plru_any;
      }
    case Policy::Random: return random_way;
  }
  return only_way;
}

unsigned pick_victim(Policy p, const uint64_t* stamps, unsigned n, Rng& rng) {
  return victim_fn(p, n)(stamps, n, rng);
}

}  // namespace slot::mmu
