// The port-I/O bus: 65,536 ports, each owned by at most one device range.
// Lookup is one table index (a byte per port), so an IN/OUT costs a load and
// an indirect call. Ports nobody decodes read as all-ones of the access size
// and ignore writes, as on a PC's ISA bus and in QEMU (observed in QEMU 7.2:
// `inb 0x200` = 0xff, `inw` = 0xffff, `inl` = 0xffffffff).
//
// An access that starts on an unassigned port or runs past the end of its
// device's range is split into byte accesses, each routed on its own.
// (QEMU aborts on some of these, e.g. `inl 0x3fe`; we never crash.)
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "emu/devices/device.h"

namespace slot::emu {

class PortBus {
 public:
  struct Range {
    uint16_t first, last;
    Device* dev;
  };

  PortBus() { owner_.fill(0); ranges_.push_back({0, 0, nullptr}); }

  // Throws std::logic_error if [first, last] overlaps a mapped range or the
  // bus already holds 255 ranges.
  void map(uint16_t first, uint16_t last, Device* dev);

  uint32_t in(uint16_t port, unsigned size);
  void out(uint16_t port, unsigned size, uint32_t value);

  Device* device_at(uint16_t port) const { return ranges_[owner_[port]].dev; }
  const std::vector<Range>& ranges() const { return ranges_; }  // [0] is the "unassigned" sentinel
  std::string dump() const;

 private:
  std::array<uint8_t, 65536> owner_;  // index into ranges_, 0 = unassigned
  std::vector<Range> ranges_;
};

}  // namespace slot::emu
