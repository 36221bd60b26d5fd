// Page images for copy-on-write snapshots (timetravel.cpp), carved out of
// slabs of 256 pages mapped and populated in one call: a write-heavy guest
// copies thousands of pages per second of run, and one malloc plus one
// first-touch page fault per copy cost a third of the engine's run time
// (perf, module-call benchmark with time travel on). Freed images go back
// to a free list; slabs stay until the engine goes.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace slot::engine {

class PagePool {
 public:
  using Page = std::array<uint8_t, 4096>;
  struct Release {
    PagePool* pool = nullptr;
    void operator()(Page* p) const { pool->free_.push_back(p); }
  };
  using Ptr = std::unique_ptr<Page, Release>;

  PagePool() = default;
  PagePool(const PagePool&) = delete;
  PagePool& operator=(const PagePool&) = delete;
  ~PagePool();

  Ptr get();  // contents undefined

 private:
  static constexpr size_t kSlabPages = 256;
  std::vector<Page*> slabs_;
  std::vector<Page*> free_;
  size_t next_ = kSlabPages;  // next unused page of the newest slab
};

}  // namespace slot::engine
