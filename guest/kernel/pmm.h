// Physical page allocator: one bit per 4 KiB frame over a fixed range, next-fit.
// Pure bookkeeping (it never touches the frames), so the host unit tests can
// run it unchanged. Deterministic: the same calls give the same frames.
#pragma once
#include <stdint.h>

class PageAllocator {
 public:
  static constexpr uint64_t MAX_FRAMES = 1ull << 18;  // 1 GiB of 4 KiB frames

  // Manage frames [first, limit): both rounded inward to 4 KiB; limit is
  // clipped so at most MAX_FRAMES frames are managed.
  void init(uint64_t first, uint64_t limit);
  uint64_t alloc();             // physical address, or 0 when exhausted
  bool free(uint64_t pa);       // false (and no change) for a frame not allocated here
  bool is_allocated(uint64_t pa) const;
  uint64_t free_count() const { return free_; }
  uint64_t total() const { return nframes_; }
  uint64_t first() const { return first_; }

 private:
  uint64_t first_ = 0, nframes_ = 0, free_ = 0, next_ = 0;
  uint64_t bits_[MAX_FRAMES / 64] = {};  // bit set = allocated
};
