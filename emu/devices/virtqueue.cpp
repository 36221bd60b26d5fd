#include "emu/devices/virtqueue.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
constexpr uint16_t kNext = 1, kWrite = 2, kIndirect = 4;

template <class T>
bool load(const Dma& dma, uint64_t pa, T& v) {
  uint8_t b[sizeof(T)];
  if (!dma.read(pa, b, sizeof b)) return false;
  v = 0;
  for (unsigned i = 0; i < sizeof(T); ++i) v = T(v | T(b[i]) << (8 * i));  // little-endian (§2.4)
  return true;
}

template <class T>
bool store(const Dma& dma, uint64_t pa, T v) {
  uint8_t b[sizeof(T)];
  for (unsigned i = 0; i < sizeof(T); ++i) b[i] = uint8_t(v >> (8 * i));
  return dma.write(pa, b, sizeof b);
}
}  // namespace

SplitQueue::Pop SplitQueue::pop(const Dma& dma, uint16_t& head, std::vector<VirtqBuffer>& chain, std::string& why) {
  chain.clear();
  uint16_t avail_idx = 0;
  if (!load(dma, st_.driver + 2, avail_idx)) return why = "available ring outside RAM", Pop::Broken;
  if (avail_idx == st_.last_avail) return Pop::Empty;
  // §2.6.6: more entries made available than the queue holds is a driver bug.
  if (uint16_t(avail_idx - st_.last_avail) > st_.size)
    return why = fmt::format("available index {} runs {} entries ahead", avail_idx, uint16_t(avail_idx - st_.last_avail)),
           Pop::Broken;
  if (!load(dma, st_.driver + 4 + 2 * uint64_t(st_.last_avail % st_.size), head))
    return why = "available ring outside RAM", Pop::Broken;
  if (head >= st_.size) return why = fmt::format("head index {} beyond the queue", head), Pop::Broken;
  uint16_t i = head;
  for (unsigned n = 0;; ++n) {
    if (n == st_.size) return why = "descriptor chain longer than the queue (a loop)", Pop::Broken;
    const uint64_t at = st_.desc + 16 * uint64_t(i);
    uint64_t addr = 0;
    uint32_t len = 0;
    uint16_t flags = 0, next = 0;
    if (!load(dma, at, addr) || !load(dma, at + 8, len) || !load(dma, at + 12, flags) || !load(dma, at + 14, next))
      return why = "descriptor table outside RAM", Pop::Broken;
    if (flags & kIndirect) return why = "indirect descriptor (VIRTIO_F_INDIRECT_DESC not offered)", Pop::Broken;
    const bool w = flags & kWrite;
    // §2.6.4.2: device-writable buffers come after every device-readable one.
    if (!w && !chain.empty() && chain.back().writable) return why = "readable buffer after a writable one", Pop::Broken;
    if (len == 0) return why = "zero-sized buffer", Pop::Broken;  // QEMU refuses them too
    chain.push_back({addr, len, w});
    if (!(flags & kNext)) break;
    if (next >= st_.size) return why = fmt::format("next index {} beyond the queue", next), Pop::Broken;
    i = next;
  }
  ++st_.last_avail;
  return Pop::Chain;
}

bool SplitQueue::push(const Dma& dma, uint16_t head, uint32_t len) {
  const uint64_t elem = st_.device + 4 + 8 * uint64_t(st_.used_idx % st_.size);
  if (!store(dma, elem, uint32_t(head)) || !store(dma, elem + 4, len)) return false;
  ++st_.used_idx;
  return store(dma, st_.device + 2, st_.used_idx);  // the element first, then the index (§2.6.8.2)
}

bool SplitQueue::wants_interrupt(const Dma& dma) const {
  uint16_t flags = 0;
  return !load(dma, st_.driver, flags) || !(flags & 1);
}

}  // namespace slot::emu
