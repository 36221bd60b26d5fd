#include "guest/kernel/pmm.h"

void PageAllocator::init(uint64_t first, uint64_t limit) {
  first_ = (first + 0xFFF) & ~0xFFFull;
  limit &= ~0xFFFull;
  nframes_ = limit > first_ ? (limit - first_) >> 12 : 0;
  if (nframes_ > MAX_FRAMES) nframes_ = MAX_FRAMES;
  free_ = nframes_;
  next_ = 0;
  for (auto& w : bits_) w = 0;
}

uint64_t PageAllocator::alloc() {
  if (free_ == 0) return 0;
  for (uint64_t n = 0; n < nframes_; ++n) {
    uint64_t i = next_;
    next_ = next_ + 1 == nframes_ ? 0 : next_ + 1;
    uint64_t& w = bits_[i / 64];
    uint64_t bit = 1ull << (i % 64);
    if (!(w & bit)) {
      w |= bit;
      --free_;
      return first_ + (i << 12);
    }
  }
  return 0;
}

bool PageAllocator::is_allocated(uint64_t pa) const {
  if (pa < first_ || (pa & 0xFFF)) return false;
  uint64_t i = (pa - first_) >> 12;
  return i < nframes_ && (bits_[i / 64] >> (i % 64) & 1);
}

bool PageAllocator::free(uint64_t pa) {
  if (!is_allocated(pa)) return false;
  uint64_t i = (pa - first_) >> 12;
  bits_[i / 64] &= ~(1ull << (i % 64));
  ++free_;
  return true;
}
