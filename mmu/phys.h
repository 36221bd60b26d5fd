// Physical memory as the CPU and the page walker see it: one flat RAM array
// plus a per-page flag byte that makes writes to "interesting" pages (cached
// code, watched page tables, watchpoints) cost one predictable branch.
// Beyond RAM, reads return all-ones and writes are dropped (as on a PC bus
// with nothing decoding the address); MMIO devices hook in through
// MmioHandler. The memory never learns what a page is used for.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <vector>

#include <sys/mman.h>

namespace slot::mmu {

// Zero-filled host memory that the OS commits only when touched (anonymous
// mmap), so 256 MiB of guest RAM costs nothing until the guest uses it.
// The buffer starts on a 2 MiB boundary and asks for transparent huge pages
// (as QEMU does for guest RAM): a guest that clears its frames then costs
// one host page fault per 2 MiB instead of one per 4 KiB -- in a virtual
// machine a fault costs microseconds, and a kernel touching 64 MiB spent a
// quarter of a short run in them -- and its accesses miss the host's TLB
// less. Where THP is off the advice is ignored.
class ZeroedBuffer {
 public:
  explicit ZeroedBuffer(uint64_t n) : size_(n) {
    if (n == 0) return;
    constexpr uint64_t kHuge = 2ull << 20;
    const uint64_t len = n + kHuge;
    void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    map_ = static_cast<uint8_t*>(p);
    map_len_ = len;
    data_ = map_ + ((kHuge - reinterpret_cast<uintptr_t>(map_) % kHuge) % kHuge);
#ifdef MADV_HUGEPAGE
    madvise(data_, n, MADV_HUGEPAGE);
#endif
  }
  ~ZeroedBuffer() { if (map_) munmap(map_, map_len_); }
  ZeroedBuffer(const ZeroedBuffer&) = delete;
  ZeroedBuffer& operator=(const ZeroedBuffer&) = delete;
  uint64_t size() const { return size_; }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }

 private:
  uint64_t size_;
  uint8_t* map_ = nullptr;  // the whole mapping: data_ lies up to 2 MiB into it (the alignment)
  uint64_t map_len_ = 0;
  uint8_t* data_ = nullptr;
};

using PhysAddr = uint64_t;

// Flag bits per 4 KiB physical page.
enum PageFlag : uint8_t {
  PF_CODE = 1 << 0,     // decoded instructions are cached from this page
  PF_WATCH = 1 << 1,    // someone (debugger engine, TLB stale detector) watches writes
};

class PhysMemory {
 public:
  explicit PhysMemory(uint64_t bytes) : ram_(bytes), flags_((bytes + 4095) / 4096, 0) {}

  uint64_t size() const { return ram_.size(); }
  uint8_t* data() { return ram_.data(); }
  const uint8_t* data() const { return ram_.data(); }

  // Host pointer for [pa, pa+len) if it lies wholly in RAM, else nullptr.
  uint8_t* ptr(PhysAddr pa, uint64_t len = 1) {
    return (pa < ram_.size() && len <= ram_.size() - pa) ? ram_.data() + pa : nullptr;
  }
  // The CPU's fast path, for an address known to be in RAM (a fast-path
  // slot serves RAM pages only): no bounds check.
  uint8_t* ram_at(PhysAddr pa) { return ram_.data() + pa; }
  uint8_t ram_flags(PhysAddr pa) const { return flags_[pa >> 12]; }
  uint8_t page_flags(PhysAddr pa) const {
    return pa < ram_.size() ? flags_[pa >> 12] : 0;
  }
  void set_page_flag(PhysAddr pa, uint8_t f) { if (pa < ram_.size()) flags_[pa >> 12] |= f; }
  void clear_page_flag(PhysAddr pa, uint8_t f) { if (pa < ram_.size()) flags_[pa >> 12] &= uint8_t(~f); }

  // Slow-path accessors (page walker, loader, debugger). Little-endian.
  uint64_t read(PhysAddr pa, unsigned size) const {
    uint64_t v = 0;
    if (pa < ram_.size() && size <= ram_.size() - pa) { std::memcpy(&v, ram_.data() + pa, size); return v; }
    return size >= 8 ? ~0ull : ((1ull << (size * 8)) - 1);
  }
  // A write through here notifies the write listener for flagged pages.
  void write(PhysAddr pa, unsigned size, uint64_t v) {
    if (pa >= ram_.size() || size > ram_.size() - pa) return;
    if (flags_[pa >> 12]) [[unlikely]] notify_write(pa, size);
    std::memcpy(ram_.data() + pa, &v, size);
  }
  // Bulk copies for bus masters (DMA): false, touching nothing, unless
  // [pa, pa + n) lies wholly in RAM. Writes notify page by page, as write() does.
  bool read_bytes(PhysAddr pa, uint8_t* out, uint64_t n) const {
    if (pa >= ram_.size() || n > ram_.size() - pa) return false;
    std::memcpy(out, ram_.data() + pa, n);
    return true;
  }
  bool write_bytes(PhysAddr pa, const uint8_t* in, uint64_t n) {
    if (pa >= ram_.size() || n > ram_.size() - pa) return false;
    for (uint64_t done = 0; done < n;) {
      const uint64_t at = pa + done, k = std::min<uint64_t>(n - done, 4096 - (at & 4095));
      if (flags_[at >> 12]) [[unlikely]] notify_write(at, unsigned(k));
      std::memcpy(ram_.data() + at, in + done, k);
      done += k;
    }
    return true;
  }
  // Called *before* a write lands on a flagged page, so listeners may read
  // the old contents. The CPU's fast write path calls this too.
  void notify_write(PhysAddr pa, unsigned size) { if (on_write_) on_write_(pa, size); }
  void set_write_listener(std::function<void(PhysAddr, unsigned)> f) { on_write_ = std::move(f); }

 private:
  ZeroedBuffer ram_;
  std::vector<uint8_t> flags_;
  std::function<void(PhysAddr, unsigned)> on_write_;
};

}  // namespace slot::mmu
