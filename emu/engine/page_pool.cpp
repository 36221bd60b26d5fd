#include "emu/engine/page_pool.h"

#include <sys/mman.h>

#include <new>

namespace slot::engine {

PagePool::~PagePool() {
  for (Page* s : slabs_) munmap(s, kSlabPages * sizeof(Page));
}

PagePool::Ptr PagePool::get() {
  if (!free_.empty()) {
    Page* p = free_.back();
    free_.pop_back();
    return Ptr(p, Release{this});
  }
  if (next_ == kSlabPages) {
    // MAP_POPULATE: the kernel fills the slab in one go instead of faulting
    // on each page's first copy.
    void* m = mmap(nullptr, kSlabPages * sizeof(Page), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    slabs_.push_back(static_cast<Page*>(m));
    next_ = 0;
  }
  return Ptr(slabs_.back() + next_++, Release{this});
}

}  // namespace slot::engine
