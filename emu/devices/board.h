// The PC board around the CPU: clock, interrupt controllers, timer, serial
// port, CMOS/RTC and the small ports, wired together, with the port map
// declared once (board.cpp). The machine owns one Board and talks to it
// through io_in/io_out, next_deadline/advance and intr_pending/intr_ack.
//
// Run-loop contract:
//   board.bind_icount(&cpu.icount);                // devices read "now" from it
//   while (!board.exit_requested()) {
//     uint64_t stop = board.next_deadline(icount);  // run the CPU up to here
//     ... execute until icount == stop (or something else happens) ...
//     board.advance(icount);                       // fire due device events
//     if (board.intr_pending() && IF && no shadow) vector = board.intr_ack();
//   }
// A halted CPU may jump icount straight to next_deadline(). The INTR listener
// is called whenever the interrupt line to the CPU may have changed (the
// PIC's output, the local APIC's IRR or priority), so the CPU can set its
// "attention" flag instead of polling.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "emu/devices/acpi_pm.h"
#include "emu/devices/clock.h"
#include "emu/devices/cmos_rtc.h"
#include "emu/devices/fw_cfg.h"
#include "emu/devices/hpet.h"
#include "emu/devices/io_apic.h"
#include "emu/devices/local_apic.h"
#include "emu/devices/pci.h"
#include "emu/devices/misc_ports.h"
#include "emu/devices/pic8259.h"
#include "emu/devices/pit8254.h"
#include "emu/devices/port_bus.h"
#include "emu/devices/uart16550.h"
#include "emu/devices/virtio_blk.h"

namespace slot::emu {

struct BoardConfig {
  uint64_t ram_bytes = 256ull << 20;  // reported in the CMOS memory-size bytes
  uint64_t insns_per_second = Clock::kDefaultInsnsPerSecond;
  int64_t rtc_start = CmosRtc::kDefaultStart;  // seconds since 1970 at icount 0
  // A raw disk image behind a virtio-blk function at 00:04.0 (where QEMU's
  // `-device virtio-blk-pci` lands behind its VGA and NIC); empty: none.
  std::string disk;
  bool disk_read_only = false;
  uint64_t disk_latency_ns = VirtioBlk::kDefaultLatencyNs;  // notify to completion
};

enum class ResetKind {
  PowerOn,        // every device in its power-on state
  AfterFirmware,  // as SeaBIOS leaves the devices when QEMU 7.2 enters a multiboot kernel
};

class Board {
 public:
  explicit Board(const BoardConfig& cfg = {});
  Board(const Board&) = delete;
  Board& operator=(const Board&) = delete;

  void reset(ResetKind kind = ResetKind::AfterFirmware);
  void system_reset();  // a reboot: devices reset, time and the RTC's NVRAM kept

  // IN / OUT, size 1, 2 or 4. Due device events are fired first.
  uint32_t io_in(uint16_t port, unsigned size);
  void io_out(uint16_t port, unsigned size, uint32_t value);

  // Time (see clock.h).
  void bind_icount(const uint64_t* counter) { clock_.bind_icount(counter); }
  // The instruction count at which the next device event is due (>= now), or Clock::kNever.
  uint64_t next_deadline(uint64_t now_icount) const;
  void advance(uint64_t now_icount) { clock_.advance(now_icount); }

  // Memory-mapped devices: physical addresses outside RAM (the memory map is
  // in board.cpp). Unassigned addresses read 0 and ignore writes, as on
  // QEMU's pc machine. Reads may have side effects: the debugger never calls these.
  uint64_t mmio_read(uint64_t pa, unsigned size);
  void mmio_write(uint64_t pa, unsigned size, uint64_t value);
  // Guest RAM for the bus masters (fw_cfg's DMA, virtio).
  void set_dma(const Dma& dma);
  // The local APIC's MSRs (local_apic.h); false = #GP.
  bool msr_read(uint32_t msr, uint64_t& v) const { return lapic_.msr_read(msr, v); }
  bool msr_write(uint32_t msr, uint64_t v) { return lapic_.msr_write(msr, v); }

  // Interrupts to the CPU: the local APIC's accepted vectors, and the 8259's
  // INTR through LINT0 (ExtINT) or directly while the APIC is disabled.
  bool intr_pending() const { return lapic_.pending() || (pic_.intr_pending() && lapic_.pic_routed()); }
  uint8_t intr_ack();
  void set_intr_listener(std::function<void(bool)> f) { on_intr_ = std::move(f); }
  void set_nmi_listener(std::function<void()> f) { lapic_.set_nmi_listener(std::move(f)); }
  bool nmi_masked() const { return rtc_.nmi_masked(); }

  // isa-debug-exit: the run loop stops and exits with exit_status().
  bool exit_requested() const { return debug_exit_.requested(); }
  // A reset through port 0x92, 0xCF9 or the 8042, or an ACPI power-off: the
  // run loop stops, as QEMU does with -no-reboot; reset_reason() names the
  // path ("" if none).
  bool reset_requested() const { return reset_how_ != 0; }
  const char* reset_reason() const;
  // The request was an ACPI power-off (S5), not a reset.
  bool powered_off() const;
  uint32_t exit_status() const { return debug_exit_.status(); }

  // COM1 output.
  void set_serial_sink(std::unique_ptr<SerialSink> sink) { com1_.set_sink(std::move(sink)); }
  void flush() { if (com1_.sink()) com1_.sink()->flush(); }

  void serialize(Serializer& s);
  std::string dump() const;

  Clock& clock() { return clock_; }
  PortBus& ports() { return bus_; }
  Pic8259& pic() { return pic_; }
  LocalApic& lapic() { return lapic_; }
  IoApic& ioapic() { return ioapic_; }
  Hpet& hpet() { return hpet_; }
  PciBus& pci() { return pci_; }
  FwCfg& fw_cfg() { return fw_cfg_; }
  Pit8254& pit() { return pit_; }
  Uart16550& com1() { return com1_; }
  CmosRtc& rtc() { return rtc_; }
  DebugExit& debug_exit() { return debug_exit_; }
  const BoardConfig& config() const { return cfg_; }

 private:
  void reset_devices(ResetKind kind);
  BoardConfig cfg_;
  Clock clock_;
  Pic8259 pic_;
  LocalApic lapic_;
  IoApic ioapic_;
  Hpet hpet_;  // before the PIT and the RTC: their lines ask it whether it has taken them
  std::function<void(bool)> on_intr_;
  Pit8254 pit_;
  SystemPortB port61_;
  Uart16550 com1_;
  CmosRtc rtc_;
  DebugExit debug_exit_;
  PostPort post_;
  FwCfg fw_cfg_;
  ResetPorts reset_ports_;
  AcpiPm acpi_pm_;
  PciBus pci_;
  VirtioBlk* virtio_blk_ = nullptr;  // owned by pci_
  uint8_t reset_how_ = 0;  // index into the reset paths' names (board.cpp), 0 = none
  void request_reset(const char* how);
  IrqLine isa_line(unsigned irq);  // to the 8259 pair and to the IOAPIC
  void gsi(unsigned n, bool level);  // a global system interrupt: IOAPIC pin n, and 8259 input n below 16
  void catch_up();  // fires the clock events due by now
  Device* mmio_device(uint64_t pa, uint64_t& offset);  // catches up first
  PortBus bus_;
};

}  // namespace slot::emu
