// The local APIC of the one CPU (SDM Vol. 3A chapter 10): xAPIC registers in
// the 4 KiB page IA32_APIC_BASE names (0xFEE00000 by default) and the same
// registers as x2APIC MSRs; TPR/PPR, EOI, ISR/IRR/TMR, the spurious vector
// and software enable, the LVT (timer, thermal, performance, LINT0, LINT1,
// error), the timer (one-shot, periodic, TSC-deadline; divide register) and
// the ICR with self-IPIs. Version 0x14 with 6 LVT entries, as QEMU's.
//
// Time: the timer counts at 1 GHz / divide (the bus clock QEMU uses) of guest
// time, which derives from the instruction count (clock.h): deterministic.
//
// One CPU: INIT and SIPI to other CPUs go nowhere (there are none); the
// delivery-status bit reads idle at once. NMI, SMI, INIT and SIPI to self are
// not delivered (docs/platform.md).
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "emu/devices/clock.h"
#include "emu/devices/device.h"

namespace slot::emu {

class LocalApic final : public Device {
 public:
  explicit LocalApic(Clock& clock);

  const char* name() const override { return "lapic"; }
  void reset() override;   // power-on (SDM Vol. 3A §10.4.7.1)
  void firmware_setup();   // as SeaBIOS leaves it when QEMU 7.2 enters a multiboot kernel

  // The xAPIC page: `offset` within it. 32-bit registers at 16-byte
  // alignment; narrower reads see part of the register, narrower writes are
  // ignored (QEMU's behaviour; the SDM leaves them undefined).
  uint64_t mmio_read(uint64_t offset, unsigned size) override;
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override;
  // Where the xAPIC page is decoded now; kNotMapped when the APIC is
  // globally disabled or in x2APIC mode (then the page is unassigned memory).
  static constexpr uint64_t kNotMapped = ~0ull;
  uint64_t mmio_base() const;

  // IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE (in instruction
  // counts: the CPU converts from TSC units). false = #GP.
  bool msr_read(uint32_t msr, uint64_t& value) const;
  bool msr_write(uint32_t msr, uint64_t value);

  // Interrupts. The 8259's INTR output arrives on LINT0; pic_routed() says
  // whether the CPU should take the PIC's vector (APIC globally disabled, or
  // LINT0 unmasked in ExtINT mode). pending(): an accepted vector outranks
  // the processor priority. ack(): the INTA cycle (IRR -> ISR); the spurious
  // vector if nothing is pending by then.
  bool pic_routed() const;
  bool pending() const;
  uint8_t ack();
  // Called whenever pending() may have changed.
  void set_listener(std::function<void()> f) { on_change_ = std::move(f); }
  // A level-triggered vector's EOI, for the IOAPIC (remote IRR).
  void set_eoi_listener(std::function<void(uint8_t vector)> f) { on_eoi_ = std::move(f); }
  // An NMI for this CPU (an IPI with NMI delivery mode to itself).
  void set_nmi_listener(std::function<void()> f) { on_nmi_ = std::move(f); }
  // A fixed interrupt from the IOAPIC or an MSI: accepted into IRR.
  void accept(uint8_t vector, bool level);
  // Whether an 8-bit xAPIC destination (physical ID or broadcast, or a flat
  // logical mask against LDR) names this APIC.
  bool addressed(uint8_t dest, bool logical) const;

  void serialize(Serializer& s) override;
  std::string dump() const override;

 private:
  enum Lvt { kTimer, kThermal, kPerf, kLint0, kLint1, kError, kLvtCount };
  uint32_t read_reg(unsigned index) const;           // index = offset / 16
  bool write_reg(unsigned index, uint64_t value, bool x2);  // false: not writable (x2APIC #GP)
  bool readable(unsigned index, bool x2) const;
  void set_sw_enabled(bool on);
  void send_ipi(uint32_t low, uint32_t dest);
  void eoi();
  unsigned ppr() const;
  int highest(const std::array<uint32_t, 8>& v) const;
  void timer_start();                               // after a write of the initial count or the mode
  uint64_t timer_ticks(uint64_t icount) const;      // timer-clock ticks at icount since the load
  uint32_t current_count() const;
  void timer_fired(uint64_t deadline);
  void changed() { if (on_change_) on_change_(); }

  Clock& clock_;
  Clock::TimerId timer_;
  std::function<void()> on_change_;
  std::function<void(uint8_t)> on_eoi_;
  std::function<void()> on_nmi_;
  struct State {
    uint64_t base;                  // IA32_APIC_BASE
    uint32_t id, tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi, initial, divide;
    uint32_t lvt[kLvtCount];
    std::array<uint32_t, 8> isr, irr, tmr;
    uint64_t load_icount;           // when the initial count was written (or the period restarted)
    uint64_t deadline;              // TSC-deadline mode: the instruction count; 0 = disarmed
  };
  State st_{};
};

}  // namespace slot::emu
