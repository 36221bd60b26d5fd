// A split virtqueue as the device side sees it (virtio 1.1, §2.6): the
// descriptor table, the driver's available ring and the device's used ring,
// all in guest RAM and all read through DMA, never through host pointers
// kept across calls. Everything the driver wrote is checked before use: a
// head or next index beyond the queue, a chain longer than the queue (a
// loop), a device-readable buffer after a device-writable one, an empty
// buffer, an indirect descriptor (not offered), or a ring outside RAM makes pop() report the
// queue broken -- the device then sets DEVICE_NEEDS_RESET (§2.1.2), as QEMU
// does. Buffers are not checked here: a buffer where no RAM is fails when
// the device transfers (the request's own error), like a master abort.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "emu/devices/device.h"

namespace slot::emu {

struct VirtqBuffer {
  uint64_t addr;
  uint32_t len;
  bool writable;  // device-writable (VIRTQ_DESC_F_WRITE)
};

class SplitQueue {
 public:
  static constexpr uint16_t kMaxSize = 256;
  // The driver-visible registers (common configuration, §4.1.4.3).
  struct State {
    uint16_t size = kMaxSize;
    uint16_t enabled = 0;
    uint64_t desc = 0, driver = 0, device = 0;  // descriptor table, available ring, used ring
    uint16_t last_avail = 0;                      // the next available entry the device takes
    uint16_t used_idx = 0;
  };
  enum class Pop : uint8_t { Empty, Chain, Broken };

  State& state() { return st_; }
  const State& state() const { return st_; }
  void reset() { st_ = {}; }
  // Takes the next available chain: its head index and buffers in order.
  // Broken: `why` says which rule the driver broke.
  Pop pop(const Dma& dma, uint16_t& head, std::vector<VirtqBuffer>& chain, std::string& why);
  // Returns a chain to the driver with `len` bytes written; false if the used ring is outside RAM.
  bool push(const Dma& dma, uint16_t head, uint32_t len);
  // The driver has not asked to go without interrupts (VIRTQ_AVAIL_F_NO_INTERRUPT).
  bool wants_interrupt(const Dma& dma) const;

 private:
  State st_;
};

}  // namespace slot::emu
