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

}  // namespace

unsigned pick_victim(Policy p, const uint64_t* stamps, unsigned n, Rng& rng) {
  if (n <= 1) return 0;
  switch (p) {
    case Policy::Lru: {
      unsigned v = 0;
      for (unsigned i = 1; i < n; ++i) if (stamps[i] < stamps[v]) v = i;
      return v;
    }
    case Policy::Plru: return plru(stamps, 0, n);
    case Policy::Random: return unsigned(rng.next() % n);
  }
  return 0;
}

}  // namespace slot::mmu
