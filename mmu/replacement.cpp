#include "mmu/replacement.h"

#include <cstddef>
#include <utility>

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

// The same descent with the way count known at compile time: every loop
// unrolled, so a 12-way set costs a few dozen compares and no branches but
// the descent's own (the victim choice runs on every eviction).
template <unsigned Lo, std::size_t... I>
uint64_t newest_fixed(const uint64_t* s, std::index_sequence<I...>) {
  uint64_t m = 0;
  ((m = s[Lo + I] > m ? s[Lo + I] : m), ...);
  return m;
}

template <unsigned Lo, unsigned Hi>
unsigned plru_fixed(const uint64_t* s) {
  if constexpr (Hi - Lo <= 1) {
    return Lo;
  } else {
    constexpr unsigned Mid = Lo + (Hi - Lo + 1) / 2;
    const uint64_t l = newest_fixed<Lo>(s, std::make_index_sequence<Mid - Lo>{});
    const uint64_t r = newest_fixed<Mid>(s, std::make_index_sequence<Hi - Mid>{});
    return l <= r ? plru_fixed<Lo, Mid>(s) : plru_fixed<Mid, Hi>(s);
  }
}

}  // namespace

unsigned pick_victim(Policy p, const uint64_t* stamps, unsigned n, Rng& rng) {
  if (n <= 1) return 0;
  switch (p) {
    case Policy::Lru: {
      unsigned v = 0;
      for (unsigned i = 1; i < n; ++i) if (stamps[i] < stamps[v]) v = i;
      return v;
    }
    case Policy::Plru:
      switch (n) {  // the associativities of the presets
        case 2: return plru_fixed<0, 2>(stamps);
        case 4: return plru_fixed<0, 4>(stamps);
        case 8: return plru_fixed<0, 8>(stamps);
        case 12: return plru_fixed<0, 12>(stamps);
        case 16: return plru_fixed<0, 16>(stamps);
        default: return plru(stamps, 0, n);
      }
    case Policy::Random: return unsigned(rng.next() % n);
  }
  return 0;
}

}  // namespace slot::mmu
