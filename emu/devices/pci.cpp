#include "emu/devices/pci.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
constexpr uint16_t kConfigAddress = 0xCF8, kConfigData = 0xCFC;
constexpr uint32_t kEnable = 1u << 31;
}  // namespace

PciFunction::PciFunction(uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header_type) {
  put(0x00, vendor, 2);
  put(0x02, device, 2);
  put(0x08, class_rev, 4);  // revision, programming interface, subclass, class
  cfg_[0x0E] = header_type;
  mask_[0x04] = 0x07;       // command: I/O, memory, bus master
  mask_[0x05] = 0x05;       // command: SERR, Interrupt Disable
  mask_[0x0D] = 0xFF;       // latency timer
  mask_[0x3C] = 0xFF;       // interrupt line
}

void PciFunction::add_bar(unsigned n, uint32_t size, bool io) {
  const unsigned at = 0x10 + 4 * n;
  const uint32_t m = ~(size - 1);  // the address bits the guest may set
  for (unsigned i = 0; i < 4; ++i) mask_[at + i] = uint8_t(m >> (8 * i));
  mask_[at] &= io ? 0xFC : 0xF0;   // type bits are read-only
  cfg_[at] = io ? 1 : 0;
  bar_size_[n] = size;
}

// PCI 3.0 §6.2.5.1: type 10b (64-bit) in bits 2:1, the upper half in BAR n+1.
void PciFunction::add_bar64(unsigned n, uint64_t size, bool prefetchable) {
  const unsigned at = 0x10 + 4 * n;
  const uint64_t m = ~(size - 1);
  for (unsigned i = 0; i < 8; ++i) mask_[at + i] = uint8_t(m >> (8 * i));
  mask_[at] &= 0xF0;
  cfg_[at] = uint8_t(0x04 | (prefetchable ? 0x08 : 0));
  bar_size_[n] = size;
}

uint64_t PciFunction::bar_address(unsigned n) const {
  if (!bar_size_[n]) return 0;
  const unsigned at = 0x10 + 4 * n;
  const uint32_t lo = peek(at, 4);
  const bool io = lo & 1;
  if (!(cfg_[0x04] & (io ? 0x01 : 0x02))) return 0;  // I/O or memory space disabled
  if (io) return lo & ~3u;
  uint64_t a = lo & ~0xFu;
  if ((lo & 6) == 4) a |= uint64_t(peek(at + 4, 4)) << 32;
  return a;
}

uint32_t PciFunction::peek(unsigned reg, unsigned size) const {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && reg + i < 256; ++i) v |= uint32_t(cfg_[reg + i]) << (8 * i);
  return v;
}

uint32_t PciFunction::read(unsigned reg, unsigned size) {
  config_reading(reg, size);
  return peek(reg, size);
}

void PciFunction::write(unsigned reg, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size && reg + i < 256; ++i) {
    const uint8_t m = mask_[reg + i];
    cfg_[reg + i] = uint8_t((cfg_[reg + i] & ~m) | (uint8_t(value >> (8 * i)) & m));
  }
  config_written(reg, size);
  if (bus_ && (reg < 0x06 || (reg < 0x64 && reg + size > 0x60))) bus_->update_irqs();  // command, PIRQ routes
}

void PciFunction::set_intx(bool level) {
  if (intx_ == level) return;
  intx_ = level;
  if (bus_) bus_->update_irqs();
}

PciBus::PciBus() {
  // i440FX host bridge (PMC), 00:00.0: class 06/00, revision 2 (QEMU's).
  add_function(0x00, std::make_unique<PciFunction>(0x8086, 0x1237, 0x06000002, 0x00));
  // PIIX3 ISA bridge, 00:01.0: class 06/01, multi-function (IDE and PM follow in QEMU).
  // PIRQRC[A-D] at 0x60-0x63 (PIIX3 datasheet §2.2.10): bits 7 (disable) and
  // 3:0 (the IRQ) are writable; 0x80 at reset.
  auto isa = std::make_unique<PciFunction>(0x8086, 0x7000, 0x06010000, 0x80);
  for (unsigned i = 0; i < 4; ++i) isa->config()[0x60 + i] = 0x80, isa->writable()[0x60 + i] = 0x8F;
  add_function(kPiix3, std::move(isa));
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
  f->bus_ = this;
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
  irq_levels_ = 0;  // the interrupt controllers' inputs are reset with them
  for (size_t i = 0; i < functions_.size(); ++i) {
    PciFunction& f = *functions_[i].second;
    f.config() = reset_config_[i];
    f.reset();
  }
  update_irqs();
}

void PciBus::firmware_setup() {
  static constexpr uint8_t kPirqIrq[4] = {10, 10, 11, 11};  // SeaBIOS's pci_irqs
  PciFunction& isa = *function(kPiix3);
  for (unsigned i = 0; i < 4; ++i) isa.config()[0x60 + i] = kPirqIrq[i];
  uint64_t mem = kFirmwareMemBase;
  uint32_t io = kFirmwareIoBase;
  for (auto& [devfn, f] : functions_) {
    bool any = false;
    for (unsigned n = 0; n < 6; ++n) {
      const uint64_t size = f->bar_size(n);
      if (!size) continue;
      any = true;
      const unsigned at = 0x10 + 4 * n;
      const uint8_t type = f->config()[at] & 0xF;
      if (f->bar_is_io(n)) {
        io = (io + uint32_t(size) - 1) & ~(uint32_t(size) - 1);
        f->put(at, io | type, 4), io += uint32_t(size);
      } else {
        mem = (mem + size - 1) & ~(size - 1);
        f->put(at, uint32_t(mem) | type, 4);
        if ((type & 6) == 4) f->put(at + 4, uint32_t(mem >> 32), 4), ++n;
        mem += size;
      }
    }
    if (any) f->put(0x04, f->peek(0x04, 2) | 0x0107, 2);  // I/O, memory, bus master, SERR
    // The line register names the routed IRQ, unless set up already (the PM function: the SCI, IRQ 9).
    if (const int irq = routed_irq(devfn); irq >= 0 && f->config()[0x3C] == 0) f->config()[0x3C] = uint8_t(irq);
  }
  update_irqs();
}

int PciBus::routed_irq(uint8_t devfn) const {
  const PciFunction* f = function(devfn);
  if (!f || f->interrupt_pin() < 1 || f->interrupt_pin() > 4) return -1;
  const unsigned pirq = ((devfn >> 3) + f->interrupt_pin() - 2) & 3;
  const uint8_t route = function(kPiix3)->config()[0x60 + pirq];
  return route & 0x80 ? -1 : route & 0x0F;
}

// Level-triggered and shared: an IRQ is high while any function routed to
// it asserts INTx with interrupts enabled in its command register (PCI 3.0
// §6.2.2, bit 10), and status bit 3 shows the function's own INTx.
void PciBus::update_irqs() {
  uint16_t levels = 0;
  for (auto& [devfn, f] : functions_) {
    uint8_t& status = f->config()[0x06];
    status = uint8_t(f->intx_ ? status | 0x08 : status & ~0x08);
    if (!f->intx_ || (f->config()[0x05] & 0x04)) continue;
    if (const int irq = routed_irq(devfn); irq >= 0) levels |= uint16_t(1u << irq);
  }
  const uint16_t changed = levels ^ irq_levels_;
  irq_levels_ = levels;
  for (bool raise : {false, true})  // lines that drop first, then those that rise
    for (unsigned irq = 0; irq < 16; ++irq)
      if ((changed >> irq & 1) && bool(levels >> irq & 1) == raise && irq_sink_) irq_sink_(irq, raise);
}

PciFunction* PciBus::bar_at(uint64_t pa, unsigned& n, uint64_t& offset) const {
  for (const auto& [devfn, f] : functions_)
    for (n = 0; n < 6; ++n) {
      const uint64_t base = f->bar_address(n);
      if (base && !f->bar_is_io(n) && pa - base < f->bar_size(n)) return offset = pa - base, f.get();
    }
  return nullptr;
}

bool PciBus::bar_read(uint64_t pa, unsigned size, uint64_t& value) {
  unsigned n = 0;
  uint64_t off = 0;
  PciFunction* f = bar_at(pa, n, off);
  if (!f) return false;
  value = f->bar_read(n, off, size);
  return true;
}

bool PciBus::bar_write(uint64_t pa, unsigned size, uint64_t value) {
  unsigned n = 0;
  uint64_t off = 0;
  PciFunction* f = bar_at(pa, n, off);
  if (!f) return false;
  f->bar_write(n, off, size, value);
  return true;
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
    PciFunction* f = selected(reg);
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
  for (auto& [devfn, f] : functions_) f->serialize(s), s.io(f->intx_);
  s.io(irq_levels_);
}

std::string PciBus::dump() const {
  std::string out = fmt::format("pci: address={:#010x}", address_);
  for (const auto& [devfn, f] : functions_)
    out += fmt::format(" 00:{:02x}.{}={:04x}:{:04x}", devfn >> 3, devfn & 7, f->peek(0, 2), f->peek(2, 2));
  out += "\n";
  for (const auto& [devfn, f] : functions_)
    if (const std::string d = f->describe(); !d.empty()) out += d + "\n";
  return out;
}

}  // namespace slot::emu
