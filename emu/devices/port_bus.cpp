#include "emu/devices/port_bus.h"

#include <fmt/format.h>

#include <stdexcept>

namespace slot::emu {

void PortBus::map(uint16_t first, uint16_t last, Device* dev) {
  if (last < first || dev == nullptr) throw std::logic_error("PortBus::map: bad range");
  if (ranges_.size() >= 256) throw std::logic_error("PortBus::map: too many ranges");
  for (uint32_t p = first; p <= last; ++p)
    if (owner_[p] != 0)
      throw std::logic_error(fmt::format("port {:#x} mapped twice ({} and {})", p, ranges_[owner_[p]].dev->name(),
                                         dev->name()));
  ranges_.push_back({first, last, dev});
  for (uint32_t p = first; p <= last; ++p) owner_[p] = uint8_t(ranges_.size() - 1);
}

uint32_t PortBus::in(uint16_t port, unsigned size) {
  const Range& r = ranges_[owner_[port]];
  if (r.dev && uint32_t(port) + size - 1 <= r.last) [[likely]]
    return r.dev->io_read(port, size);
  if (size == 1) return 0xFF;
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= in(uint16_t(port + i), 1) << (8 * i);
  return v;
}

void PortBus::out(uint16_t port, unsigned size, uint32_t value) {
  const Range& r = ranges_[owner_[port]];
  if (r.dev && uint32_t(port) + size - 1 <= r.last) [[likely]] {
    r.dev->io_write(port, size, value);
    return;
  }
  if (size == 1) return;
  for (unsigned i = 0; i < size; ++i) out(uint16_t(port + i), 1, uint8_t(value >> (8 * i)));
}

std::string PortBus::dump() const {
  std::string out = "port map:\n";
  for (size_t i = 1; i < ranges_.size(); ++i)
    out += fmt::format("  {:#06x}-{:#06x}  {}\n", ranges_[i].first, ranges_[i].last, ranges_[i].dev->name());
  return out;
}

}  // namespace slot::emu
