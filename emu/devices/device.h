// The one device interface (docs/ARCHITECTURE.md): name, reset, port and MMIO
// access, save/load through one serialize function, and a text dump for the
// debugger. Each device keeps its state in one trivially copyable struct, so
// serialize() is usually a single `s.io(st_)`.
//
// Port accesses carry the absolute port number and the size (1, 2 or 4).
// Devices whose registers are 8 bits wide (every PC legacy device here) take
// wider accesses as consecutive byte accesses, low byte first: that is what
// QEMU 7.2 does (observed: `inw 0x3fc` on COM1 returns MCR | LSR << 8).
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "emu/serialize.h"

namespace slot::emu {

// An interrupt request line as a device drives it: level true = asserted.
// The 8259A detects edges itself, so devices just report their output level.
using IrqLine = std::function<void(bool level)>;

// Guest RAM as a bus-master device reaches it (fw_cfg's DMA, virtio rings
// and buffers): physical addresses, RAM only. Each returns false, touching
// nothing, if any byte of [pa, pa + n) lies outside RAM. Writes notify like
// the CPU's own (cached code, page-table watch, debugger listeners).
struct Dma {
  std::function<bool(uint64_t pa, uint8_t* data, uint64_t n)> read;
  std::function<bool(uint64_t pa, const uint8_t* data, uint64_t n)> write;
  explicit operator bool() const { return read && write; }
};

inline constexpr uint32_t all_ones(unsigned size) { return size >= 4 ? 0xFFFF'FFFFu : (1u << (size * 8)) - 1; }

class Device {
 public:
  virtual ~Device() = default;
  virtual const char* name() const = 0;
  virtual void reset() = 0;

  // Port I/O. The default splits the access into byte registers.
  virtual uint32_t io_read(uint16_t port, unsigned size) {
    uint32_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= uint32_t(read8(uint16_t(port + i))) << (8 * i);
    return v;
  }
  virtual void io_write(uint16_t port, unsigned size, uint32_t value) {
    for (unsigned i = 0; i < size; ++i) write8(uint16_t(port + i), uint8_t(value >> (8 * i)));
  }

  // Memory-mapped I/O (no device here uses it yet; VGA text memory is RAM).
  virtual uint64_t mmio_read(uint64_t /*addr*/, unsigned size) { return size >= 8 ? ~0ull : all_ones(size); }
  virtual void mmio_write(uint64_t /*addr*/, unsigned /*size*/, uint64_t /*value*/) {}

  virtual void serialize(Serializer& s) = 0;
  virtual std::string dump() const = 0;

 protected:
  // Byte registers for the default io_read/io_write; ports the device does not
  // decode read as all-ones.
  virtual uint8_t read8(uint16_t /*port*/) { return 0xFF; }
  virtual void write8(uint16_t /*port*/, uint8_t /*value*/) {}
};

}  // namespace slot::emu
