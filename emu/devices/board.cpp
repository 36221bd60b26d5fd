#include "emu/devices/board.h"

#include <iterator>
#include <string_view>

#include "mmu/arch.h"

namespace slot::emu {

// IRQ wiring of the PC (ISA interrupt assignments).
namespace irq {
constexpr unsigned kPit = 0, kCom1 = 4, kRtc = 8, kSci = 9;
}

Board::Board(const BoardConfig& cfg)
    : cfg_(cfg),
      clock_(cfg.insns_per_second),
      lapic_(clock_),
      ioapic_([this](uint8_t vector, bool level, uint8_t dest, bool logical) {
        if (lapic_.addressed(dest, logical)) lapic_.accept(vector, level);
      }),
      hpet_(clock_,
            [this](bool legacy, unsigned n, bool level) {
              if (!legacy) return gsi(n, level);
              pic_.set_irq(n, level);  // IRQ 0 or 8
              ioapic_.set_irq(n == 0 ? 2 : n, level);
            }),
      pit_(clock_, isa_line(irq::kPit)),
      port61_(pit_),
      com1_(x86::PORT_COM1, isa_line(irq::kCom1)),
      rtc_(clock_, isa_line(irq::kRtc), cfg.ram_bytes, cfg.rtc_start),
      fw_cfg_(cfg.ram_bytes),
      reset_ports_([this](const char* how) { request_reset(how); }),
      acpi_pm_(clock_, isa_line(irq::kSci), [this] { request_reset("ACPI S5 (power off)"); }) {
  // The port map: every decoded port of the board, in one table. Everything
  // else reads all-ones and ignores writes (PortBus).
  const struct {
    uint16_t first, last;
    Device& dev;
  } port_map[] = {
      {0x0020, 0x0021, pic_},                   // 8259A master
      {0x0040, 0x0043, pit_},                   // 8254 channels 0-2, control
      {0x0060, 0x0060, reset_ports_},           // 8042 data
      {0x0061, 0x0061, port61_},                // system control port B (PIT ch2 gate/out)
      {0x0064, 0x0064, reset_ports_},           // 8042 status / command
      {0x0070, 0x0071, rtc_},                   // CMOS index (+NMI mask), data
      {0x0080, 0x0080, post_},                  // POST codes
      {0x0092, 0x0092, reset_ports_},           // system control port A (fast reset, A20)
      {AcpiPm::kSmiCmd, AcpiPm::kSmiCmd + 1, acpi_pm_},  // APM control/status (SMI_CMD)
      {0x00A0, 0x00A1, pic_},                   // 8259A slave
      {x86::PORT_DEBUG_EXIT, 0x00F7, debug_exit_},  // isa-debug-exit, iosize 4
      {x86::PORT_COM1, x86::PORT_COM1 + 7, com1_},  // 16550A COM1
      {0x0510, 0x0511, fw_cfg_},                // fw_cfg selector, data
      {0x0514, 0x051B, fw_cfg_},                // fw_cfg DMA address
      {0x0CF8, 0x0CFF, pci_},                   // PCI CONFIG_ADDRESS, CONFIG_DATA (0xCF9 bytes: reset control)
      {AcpiPm::kBase, AcpiPm::kBase + 11, acpi_pm_},  // PM1a_EVT, PM1a_CNT, PM timer
      {AcpiPm::kGpe0, AcpiPm::kGpe0 + 3, acpi_pm_},   // GPE0 status, enable
  };
  // QEMU's own memory map (not the BIOS's): RAM from 0. {u64 base, u64 length, u32 type}.
  std::vector<uint8_t> e820;
  for (uint64_t v : {uint64_t(0), cfg.ram_bytes})
    for (unsigned i = 0; i < 8; ++i) e820.push_back(uint8_t(v >> (8 * i)));
  for (unsigned i = 0; i < 4; ++i) e820.push_back(uint8_t(1u >> (8 * i)));
  fw_cfg_.add_file("etc/e820", std::move(e820));
  for (const auto& e : port_map) bus_.map(e.first, e.last, &e.dev);
  pci_.set_narrow_cf8(&reset_ports_);
  pci_.set_irq_sink([this](unsigned irq, bool level) { gsi(irq, level); });
  if (!cfg.disk.empty()) {
    auto blk = std::make_unique<VirtioBlk>(clock_, DiskImage::open(cfg.disk, cfg.disk_read_only), cfg.disk_latency_ns);
    virtio_blk_ = blk.get();
    pci_.add_function(4 << 3, std::move(blk));
  }
  const auto update = [this] { if (on_intr_) on_intr_(intr_pending()); };
  pic_.set_intr_listener([update](bool) { update(); });
  lapic_.set_listener(update);
  lapic_.set_eoi_listener([this](uint8_t vector) { ioapic_.eoi(vector); });
  reset();
}

void Board::reset(ResetKind kind) {
  clock_.reset();
  rtc_.reset();
  reset_devices(kind);
}

// A reboot (the reset line, as QEMU does without -no-reboot): the devices
// restart and the firmware sets them up again, but time goes on and the RTC
// keeps its time and NVRAM -- which is how a kernel can tell a reboot.
void Board::system_reset() {
  clock_.cancel_all();
  rtc_.reset_pin();
  reset_devices(ResetKind::AfterFirmware);
}

void Board::reset_devices(ResetKind kind) {
  pic_.reset();
  pit_.reset();
  port61_.reset();
  com1_.reset();
  debug_exit_.reset();
  post_.reset();
  lapic_.reset();
  ioapic_.reset();
  hpet_.reset();
  fw_cfg_.reset();
  reset_ports_.reset();
  acpi_pm_.reset();
  pci_.reset();
  reset_how_ = 0;
  if (kind == ResetKind::AfterFirmware) {
    pic_.firmware_setup();
    pit_.firmware_setup();
    lapic_.firmware_setup();
    pci_.firmware_setup();
  }
}

namespace {
// The last path is the power-off (powered_off() relies on it).
constexpr const char* kResetPaths[] = {"", "port 0x92 bit 0", "port 0xCF9", "8042 command 0xFE",
                                       "8042 output port bit 0", "ACPI S5 (power off)"};
}

void Board::request_reset(const char* how) {
  for (uint8_t i = 1; i < std::size(kResetPaths); ++i)
    if (std::string_view(kResetPaths[i]) == how) reset_how_ = i;
}

const char* Board::reset_reason() const { return kResetPaths[reset_how_]; }
bool Board::powered_off() const { return reset_how_ == std::size(kResetPaths) - 1; }

// ISA IRQ n goes to the 8259 pair's input n and to IOAPIC pin n, but IRQ 0
// to pin 2 (QEMU's pc; the MADT's interrupt source override). While the HPET
// routes its timers 0 and 1 in legacy mode, the PIT's IRQ 0 and the RTC's
// IRQ 8 are cut off (HPET spec 2.3.9.2.2).
IrqLine Board::isa_line(unsigned irq) {
  const unsigned pin = irq == 0 ? 2 : irq;
  return [this, irq, pin](bool level) {
    if ((irq == 0 || irq == 8) && hpet_.legacy()) return;
    pic_.set_irq(irq, level);
    ioapic_.set_irq(pin, level);
  };
}

void Board::gsi(unsigned n, bool level) {
  if (n < 16 && n != 2) pic_.set_irq(n, level);
  ioapic_.set_irq(n, level);
}

uint8_t Board::intr_ack() {
  if (lapic_.pending()) return lapic_.ack();
  if (pic_.intr_pending() && lapic_.pic_routed()) return pic_.intr_ack();
  return lapic_.ack();  // the line dropped meanwhile: the spurious vector
}

// A device access sees the machine as of now: clock events that fell due
// since the CPU last looked (a timer expiring mid-block) fire first.
void Board::catch_up() {
  const uint64_t now = clock_.now();
  if (clock_.next_deadline() <= now) clock_.advance(now);
}

// The physical memory map outside RAM (QEMU's pc machine): the local APIC's
// page wherever IA32_APIC_BASE puts it, then the fixed devices.
Device* Board::mmio_device(uint64_t pa, uint64_t& offset) {
  catch_up();
  const uint64_t apic = lapic_.mmio_base();
  if (apic != LocalApic::kNotMapped && pa - apic < 4096) return offset = pa - apic, &lapic_;
  const struct {
    uint64_t base, size;
    Device& dev;
  } mmio_map[] = {
      {IoApic::kBase, 0x1000, ioapic_},
      {Hpet::kBase, 0x400, hpet_},
  };
  for (const auto& m : mmio_map)
    if (pa - m.base < m.size) return offset = pa - m.base, &m.dev;
  return nullptr;
}

uint64_t Board::mmio_read(uint64_t pa, unsigned size) {
  uint64_t off = 0, v = 0;
  if (Device* d = mmio_device(pa, off)) return d->mmio_read(off, size);
  return pci_.bar_read(pa, size, v) ? v : 0;  // then the PCI BARs
}

void Board::mmio_write(uint64_t pa, unsigned size, uint64_t value) {
  uint64_t off = 0;
  if (Device* d = mmio_device(pa, off)) d->mmio_write(off, size, value);
  else pci_.bar_write(pa, size, value);
}

void Board::set_dma(const Dma& dma) {
  fw_cfg_.set_dma(dma);
  if (virtio_blk_) virtio_blk_->set_dma(dma);
}

uint32_t Board::io_in(uint16_t port, unsigned size) {
  catch_up();
  return bus_.in(port, size);
}

void Board::io_out(uint16_t port, unsigned size, uint32_t value) {
  catch_up();
  bus_.out(port, size, value);
}

uint64_t Board::next_deadline(uint64_t now_icount) const {
  uint64_t d = clock_.next_deadline();
  return d < now_icount ? now_icount : d;
}

void Board::serialize(Serializer& s) {
  s.tag("board");
  clock_.serialize(s);
  pic_.serialize(s);
  lapic_.serialize(s);
  ioapic_.serialize(s);
  hpet_.serialize(s);
  pit_.serialize(s);
  port61_.serialize(s);
  com1_.serialize(s);
  rtc_.serialize(s);
  debug_exit_.serialize(s);
  post_.serialize(s);
  fw_cfg_.serialize(s);
  reset_ports_.serialize(s);
  acpi_pm_.serialize(s);
  pci_.serialize(s);
  s.io(reset_how_);
}

std::string Board::dump() const {
  return clock_.dump() + pic_.dump() + lapic_.dump() + ioapic_.dump() + hpet_.dump() + pit_.dump() + port61_.dump() + com1_.dump() + rtc_.dump() +
         debug_exit_.dump() + post_.dump() + fw_cfg_.dump() + reset_ports_.dump() + acpi_pm_.dump() + pci_.dump();
}

}  // namespace slot::emu
