// QEMU's firmware configuration interface (QEMU docs/specs/fw_cfg.rst) at
// its x86 ports: 0x510 selector (16-bit write), 0x511 data (byte reads that
// walk the selected item, zeros past its end), 0x514-0x51B the DMA address
// (big-endian; the write of the low half at 0x518 starts the transfer; reads
// give the signature "QEMU CFG").
//
// Items, as QEMU 7.2's pc machine fills them for a multiboot kernel: the
// signature "QEMU", the ID (traditional interface and DMA), the UUID (zeros),
// the RAM size, the number of CPUs and its maximum (1), and the file
// directory, sorted by name with selectors from 0x20. Files: etc/e820 (QEMU's
// own memory map, not the BIOS's). No command-line items: QEMU does not set
// them for multiboot kernels either (the command line travels in the
// multiboot information). Writes through the interface are refused.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "emu/devices/device.h"

namespace slot::emu {

class FwCfg final : public Device {
 public:
  explicit FwCfg(uint64_t ram_bytes);
  const char* name() const override { return "fw_cfg"; }
  void reset() override { st_ = {}; }
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  void set_dma(Dma dma) { dma_ = std::move(dma); }

  // Adds (or replaces) a file; the directory is rebuilt.
  void add_file(const std::string& name, std::vector<uint8_t> data);
  const std::vector<uint8_t>* item(uint16_t selector) const;

  void serialize(Serializer& s) override;
  std::string dump() const override;

 private:
  void select(uint16_t selector);
  void dma_transfer(uint64_t address);
  void build_directory();

  std::map<uint16_t, std::vector<uint8_t>> items_;
  std::map<std::string, std::vector<uint8_t>> files_;
  Dma dma_;
  struct State {
    uint16_t selector;
    uint32_t offset;
    uint32_t dma_high;  // the upper half of the DMA address, written first
  };
  State st_{};
};

}  // namespace slot::emu
