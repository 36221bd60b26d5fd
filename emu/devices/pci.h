// PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, §3.2.2.3.2)
// at 0xCF8 (CONFIG_ADDRESS: enable, bus, device, function, register) and
// 0xCFC-0xCFF (CONFIG_DATA), with the functions of QEMU's pc machine that a
// kernel meets first: the i440FX host bridge at 00:00.0, the PIIX3 ISA
// bridge at 00:01.0 (multi-function) and the PIIX4 power-management function
// at 00:01.3 that names the ACPI PM block. A function is 256 bytes of
// configuration space with a write mask; BARs answer the sizing protocol
// (write all-ones, read back the size mask). Later devices (virtio) add
// themselves with add_function().
//
// Absent functions read all-ones (vendor 0xFFFF), as on real buses. Only
// dword accesses reach CONFIG_ADDRESS; narrower ones at 0xCF8-0xCFB go to the
// device behind them (the PIIX3's reset control register at 0xCF9), as in QEMU.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emu/devices/device.h"

namespace slot::emu {

class PciBus;

// One function's configuration space, its BARs and its INTx pin. Devices
// behind a BAR (virtio) derive from it and answer bar_read/bar_write.
class PciFunction {
 public:
  PciFunction(uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header_type);
  virtual ~PciFunction() = default;
  uint32_t read(unsigned reg, unsigned size);          // reg: byte offset 0-255
  uint32_t peek(unsigned reg, unsigned size) const;    // the same without side effects (debugger)
  void write(unsigned reg, unsigned size, uint32_t value);
  // BAR n: an I/O or 32-bit memory range of `size` bytes (a power of two);
  // add_bar64 takes BARs n and n+1 for a 64-bit memory range.
  void add_bar(unsigned n, uint32_t size, bool io);
  void add_bar64(unsigned n, uint64_t size, bool prefetchable);
  uint64_t bar_size(unsigned n) const { return bar_size_[n]; }
  bool bar_is_io(unsigned n) const { return cfg_[0x10 + 4 * n] & 1; }
  // Where BAR n decodes now: 0 while its space is disabled in the command
  // register or the BAR is unassigned (zero).
  uint64_t bar_address(unsigned n) const;
  std::array<uint8_t, 256>& config() { return cfg_; }
  std::array<uint8_t, 256>& writable() { return mask_; }
  uint8_t interrupt_pin() const { return cfg_[0x3D]; }  // 0 none, 1 INTA .. 4 INTD

  // Accesses to BAR n at `offset` (< bar_size(n)), size 1, 2, 4 or 8.
  virtual uint64_t bar_read(unsigned /*n*/, uint64_t /*offset*/, unsigned size) {
    return size >= 8 ? ~0ull : all_ones(size);
  }
  virtual void bar_write(unsigned /*n*/, uint64_t /*offset*/, unsigned /*size*/, uint64_t /*value*/) {}
  virtual void reset() {}  // the device behind the function (its configuration is reset by the bus)
  virtual void serialize(Serializer& s) { s.io(cfg_); }
  virtual std::string describe() const { return {}; }  // the device's state for the debugger, one line or empty
  bool intx() const { return intx_; }

 protected:
  // The function's INTx output as the device drives it; the bus masks it with
  // the command register's Interrupt Disable and shows it in status bit 3.
  void set_intx(bool level);
  // Configuration reads and writes that have side effects (virtio's PCI
  // configuration access capability): called after a write lands, before a
  // read is answered.
  virtual void config_written(unsigned /*reg*/, unsigned /*size*/) {}
  virtual void config_reading(unsigned /*reg*/, unsigned /*size*/) {}
  void put(unsigned at, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) cfg_[at + i] = uint8_t(v >> (8 * i));
  }

 private:
  friend class PciBus;
  std::array<uint8_t, 256> cfg_{}, mask_{};
  std::array<uint64_t, 6> bar_size_{};
  bool intx_ = false;
  PciBus* bus_ = nullptr;
};

// QEMU's pc wiring of INTx (PIIX3): device d's pin p (1-4) drives PIRQ
// (d + p - 2) & 3, and PIRQ n goes to the ISA IRQ in the PIIX3's PIRQRC[n]
// register (configuration 0x60 + n; bit 7 disables the route).
class PciBus final : public Device {
 public:
  static constexpr uint8_t kPiix3 = 0x08;  // devfn of the ISA bridge
  // Where the firmware puts memory BARs (QEMU 7.2 with SeaBIOS on the pc
  // machine: the first 64-bit BAR of a device behind the VGA and the NIC lands at 0xFE000000).
  static constexpr uint64_t kFirmwareMemBase = 0xFE000000;
  static constexpr uint16_t kFirmwareIoBase = 0xC000;

  PciBus();
  const char* name() const override { return "pci"; }
  void reset() override;
  // What SeaBIOS leaves: PIRQA-D routed to IRQ 10, 10, 11, 11, BARs assigned
  // (memory from kFirmwareMemBase up, each aligned to its size; I/O from
  // kFirmwareIoBase), I/O, memory, bus master and SERR enabled, and the
  // interrupt line register naming the IRQ the pin is routed to.
  void firmware_setup();
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  // Memory-mapped BARs: true if `pa` hits an enabled memory BAR.
  bool bar_read(uint64_t pa, unsigned size, uint64_t& value);
  bool bar_write(uint64_t pa, unsigned size, uint64_t value);
  // Bus 0 only; devfn = device << 3 | function.
  void add_function(uint8_t devfn, std::unique_ptr<PciFunction> f);
  PciFunction* function(uint8_t devfn) const;
  void set_narrow_cf8(Device* d) { narrow_ = d; }
  // ISA IRQ n's level as the PCI functions routed to it drive it.
  void set_irq_sink(std::function<void(unsigned irq, bool level)> f) { irq_sink_ = std::move(f); }
  // The ISA IRQ a function's pin reaches now, or -1.
  int routed_irq(uint8_t devfn) const;

  void serialize(Serializer& s) override;
  std::string dump() const override;

 private:
  friend class PciFunction;
  PciFunction* selected(unsigned& reg) const;
  PciFunction* bar_at(uint64_t pa, unsigned& n, uint64_t& offset) const;
  void update_irqs();  // after an INTx change, a command write or a PIRQ route change
  std::vector<std::pair<uint8_t, std::unique_ptr<PciFunction>>> functions_;
  std::vector<std::array<uint8_t, 256>> reset_config_;  // each function's configuration at reset
  uint32_t address_ = 0;
  uint16_t irq_levels_ = 0;  // the ISA IRQs PCI drives high now
  Device* narrow_ = nullptr;
  std::function<void(unsigned, bool)> irq_sink_;
};

}  // namespace slot::emu
