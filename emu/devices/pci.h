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
#include <memory>
#include <vector>

#include "emu/devices/device.h"

namespace slot::emu {

class PciFunction {
 public:
  PciFunction(uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header_type);
  virtual ~PciFunction() = default;
  uint32_t read(unsigned reg, unsigned size) const;          // reg: byte offset 0-255
  void write(unsigned reg, unsigned size, uint32_t value);
  // BAR n: an I/O or 32-bit memory range of `size` bytes (a power of two).
  void add_bar(unsigned n, uint32_t size, bool io);
  std::array<uint8_t, 256>& config() { return cfg_; }
  std::array<uint8_t, 256>& writable() { return mask_; }

 private:
  std::array<uint8_t, 256> cfg_{}, mask_{};
};

class PciBus final : public Device {
 public:
  PciBus();
  const char* name() const override { return "pci"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  // Bus 0 only; devfn = device << 3 | function.
  void add_function(uint8_t devfn, std::unique_ptr<PciFunction> f);
  PciFunction* function(uint8_t devfn) const;
  void set_narrow_cf8(Device* d) { narrow_ = d; }

  void serialize(Serializer& s) override;
  std::string dump() const override;

 private:
  PciFunction* selected(unsigned& reg) const;
  std::vector<std::pair<uint8_t, std::unique_ptr<PciFunction>>> functions_;
  std::vector<std::array<uint8_t, 256>> reset_config_;  // each function's configuration at reset
  uint32_t address_ = 0;
  Device* narrow_ = nullptr;
};

}  // namespace slot::emu
