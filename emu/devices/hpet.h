// The HPET of QEMU's pc machine at 0xFED00000 (IA-PC HPET specification
// 1.0a): a 64-bit main counter at 100 MHz of guest time and 3 comparators,
// each one-shot or periodic (all periodic-capable, as QEMU's), edge or level
// interrupts, 32-bit mode, and legacy replacement routing (timer 0 to IRQ 0
// and timer 1 to IRQ 8, taking those lines from the PIT and the RTC).
// Without legacy routing a timer drives the I/O APIC pin its INT_ROUTE
// names; QEMU's pc offers pin 2 only (Tn_INT_ROUTE_CAP = 0x4).
//
// Not emulated: FSB (MSI) delivery.
#pragma once
#include <cstdint>
#include <functional>

#include "emu/devices/clock.h"
#include "emu/devices/device.h"

namespace slot::emu {

class Hpet final : public Device {
 public:
  static constexpr uint64_t kBase = 0xFED00000;
  static constexpr unsigned kTimers = 3;
  static constexpr uint64_t kHz = 100'000'000;
  // Drives a line: legacy IRQ (0 or 8) when `legacy`, else an I/O APIC pin.
  using Line = std::function<void(bool legacy, unsigned irq_or_pin, bool level)>;

  Hpet(Clock& clock, Line line);
  const char* name() const override { return "hpet"; }
  void reset() override;
  uint64_t mmio_read(uint64_t offset, unsigned size) override;
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override;
  bool legacy() const { return (st_.config & 3) == 3; }  // enabled with legacy routing

  void serialize(Serializer& s) override;
  std::string dump() const override;

 private:
  uint64_t counter() const;
  uint64_t read64(uint64_t offset) const;
  void write64(uint64_t offset, uint64_t value, uint64_t mask);
  void arm(unsigned t);
  void fire(unsigned t, uint64_t deadline);
  void set_line(unsigned t, bool level);
  void update_enable(uint64_t old_config);

  Clock& clock_;
  Line line_;
  Clock::TimerId timer_ids_[kTimers];
  struct Timer {
    uint64_t config, cmp, period;
    bool line;  // the level this timer drives now
  };
  struct State {
    uint64_t config, isr;
    uint64_t counter_base;   // the counter's value at base_icount (or while stopped)
    uint64_t base_icount;
    Timer t[kTimers];
  };
  State st_{};
};

}  // namespace slot::emu
