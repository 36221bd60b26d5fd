#include "emu/devices/pci.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
constexpr uint16_t kConfigAddress = 0xCF8, kConfigData = 0xCFC;
constexpr uint32_t kEnable = 1u << 31;
}  // namespace

PciFunction::PciFunction(uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header_type) {
  auto put = [&](unsigned at, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) cfg_[at + i] = uint8_t(v >> (8 * i));
  };
  put(0x00, vendor, 2);
  put(0x02, device, 2);
  put(0x08, class_rev, 4);  // revision, programming interface, subclass, class
  cfg_[0x0E] = header_type;
  mask_[0x04] = 0x07;       // command: I/O, memory, bus master
  mask_[0x0D] = 0xFF;       // latency timer
  mask_[0x3C] = 0xFF;       // interrupt line
}

void PciFunction::add_bar(unsigned n, uint32_t size, bool io) {
  const unsigned at = 0x10 + 4 * n;
  const uint32_t m = ~(size - 1);  // the address bits the guest may set
  for (unsigned i = 0; i < 4; ++i) mask_[at + i] = uint8_t(m >> (8 * i));
  mask_[at] &= io ? 0xFC : 0xF0;   // type bits are read-only
  cfg_[at] = io ? 1 : 0;
}

uint32_t PciFunction::read(unsigned reg, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && reg + i < 256; ++i) v |= uint32_t(cfg_[reg + i]) << (8 * i);
  return v;
}

void PciFunction::write(unsigned reg, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size && reg + i < 256; ++i) {
    const uint8_t m = mask_[reg + i];
    cfg_[reg + i] = uint8_t((cfg_[reg + i] & ~m) | (uint8_t(value >> (8 * i)) & m));
  }
}

PciBus::PciBus() {
  // i440FX host bridge (PMC), 00:00.0: class 06/00, revision 2 (QEMU's).
  add_function(0x00, std::make_unique<PciFunction>(0x8086, 0x1237, 0x06000002, 0x00));
  // PIIX3 ISA bridge, 00:01.0: class 06/01, multi-function (IDE and PM follow in QEMU).
  add_function(0x08, std::make_unique<PciFunction>(0x8086, 0x7000, 0x06010000, 0x80));
  // PIIX4 power management, 00:01.3: class 06/80, revision 3, as SeaBIOS leaves
  // it on QEMU's pc -- the PM I/O block at 0x600 (PMBA 0x601, PMIOSE set in
  // PMREGMISC), the SMBus base 0x700 (SMBus itself is not emulated), the SCI on
  // IRQ 9, INTA. The PM block does not move: PMBA is read-only here.
  auto pm = std::make_unique<PciFunction>(0x8086, 0x7113, 0x06800003, 0x00);
  auto put = [&](unsigned at, uint32_t v) {
    for (unsigned i = 0; i < 4; ++i) pm->config()[at + i] = uint8_t(v >> (8 * i));
  };
  put(0x04, 0x02800103);  // command: I/O, memory, SERR; status: fast back-to-back, medium DEVSEL
  put(0x2C, 0x11001AF4);  // subsystem: QEMU's (1af4:1100)
  put(0x3C, 0x00000109);  // interrupt line 9, pin INTA
  put(0x40, 0x00000601);  // PMBA
  put(0x58, 0x02000000), put(0x5C, 0x90000000), put(0x60, 0x60000000), put(0x64, 0x08000000);  // DEVACTB, DEVRESx
  put(0x80, 0x00000001);  // PMREGMISC: PMIOSE
  put(0x90, 0x00000701);  // SMBBA
  put(0xD0, 0x00090000);  // SMBHSTCFG
  add_function(0x0B, std::move(pm));
}

void PciBus::add_function(uint8_t devfn, std::unique_ptr<PciFunction> f) {
  reset_config_.push_back(f->config());
  functions_.emplace_back(devfn, std::move(f));
}

PciFunction* PciBus::function(uint8_t devfn) const {
  for (const auto& [at, f] : functions_)
    if (at == devfn) return f.get();
  return nullptr;
}

void PciBus::reset() {
  address_ = 0;
  for (size_t i = 0; i < functions_.size(); ++i) functions_[i].second->config() = reset_config_[i];
}

PciFunction* PciBus::selected(unsigned& reg) const {
  if (!(address_ & kEnable) || ((address_ >> 16) & 0xFF) != 0) return nullptr;  // bus 0 only
  reg = address_ & 0xFC;
  return function(uint8_t(address_ >> 8));
}

uint32_t PciBus::io_read(uint16_t port, unsigned size) {
  if (port == kConfigAddress && size == 4) return address_;
  if (port < kConfigData) return narrow_ ? narrow_->io_read(port, size) : all_ones(size);
  if (port >= kConfigData && port < kConfigData + 4) {
    unsigned reg = 0;
    const PciFunction* f = selected(reg);
    if (!f) return all_ones(size);
    return f->read(reg + (port - kConfigData), size);
  }
  return all_ones(size);
}

void PciBus::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (port == kConfigAddress && size == 4) {
    address_ = value & 0x80FFFFFC;
    return;
  }
  if (port < kConfigData) {
    if (narrow_) narrow_->io_write(port, size, value);
    return;
  }
  if (port >= kConfigData && port < kConfigData + 4) {
    unsigned reg = 0;
    if (PciFunction* f = selected(reg)) f->write(reg + (port - kConfigData), size, value);
  }
}

void PciBus::serialize(Serializer& s) {
  s.tag("pci");
  s.io(address_);
  for (auto& [devfn, f] : functions_) s.io(f->config());
}

std::string PciBus::dump() const {
  std::string out = fmt::format("pci: address={:#010x}", address_);
  for (const auto& [devfn, f] : functions_)
    out += fmt::format(" 00:{:02x}.{}={:04x}:{:04x}", devfn >> 3, devfn & 7, f->read(0, 2), f->read(2, 2));
  return out + "\n";
}

}  // namespace slot::emu
