// The ACPI power-management registers of the PIIX4 function QEMU's pc machine
// carries, at the port block SeaBIOS assigns (0x600, as the FADT says):
// PM1a_EVT (status/enable, 0x600), PM1a_CNT (0x604), the PM timer (0x608: 24
// bits at 3.579545 MHz of guest time), the GPE0 block (0xAFE0), and the APM
// control port 0xB2 where ACPI_ENABLE (0xF1) / ACPI_DISABLE (0xF0) set and
// clear SCI_EN. Writing PM1a_CNT with SLP_EN and sleep type 0 (the pc DSDT's
// S5) powers the machine off: it stops, as QEMU exits.
//
// The SCI (IRQ 9, level): raised while SCI_EN is set and an enabled event's
// status bit is -- TMR_STS, set each time bit 23 of the PM timer toggles
// (ACPI 6.4 §4.8.3.3), or a GPE0 status bit with its enable set.
//
// Not emulated: the power button and other fixed events (no way to press
// them), sleep types other than S5 (ignored).
#pragma once
#include <cstdint>
#include <functional>

#include "emu/devices/clock.h"
#include "emu/devices/device.h"

namespace slot::emu {

class AcpiPm final : public Device {
 public:
  static constexpr uint16_t kBase = 0x600, kGpe0 = 0xAFE0, kSmiCmd = 0xB2;
  static constexpr uint64_t kTimerHz = 3'579'545;

  AcpiPm(Clock& clock, IrqLine sci, std::function<void()> power_off);
  const char* name() const override { return "acpi-pm"; }
  void reset() override;
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  void serialize(Serializer& s) override { s.tag("acpi-pm"); s.io(st_); }
  std::string dump() const override;

 private:
  uint8_t reg8(uint16_t port) const;
  uint64_t timer_ticks() const { return clock_.ticks(clock_.now(), kTimerHz); }
  uint16_t pm1_status() const;  // with TMR_STS as of now
  void update_sci();            // the SCI level, and the timer for the next TMR_STS
  Clock& clock_;
  IrqLine sci_;
  std::function<void()> power_off_;
  Clock::TimerId timer_;
  struct State {  // no padding: serialized as bytes
    uint64_t tmr_cleared;  // PM timer tick at which TMR_STS was last cleared
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint8_t gpe_sts[2], gpe_en[2];
    uint8_t apm_cnt, apm_sts;
    uint8_t sci_level, reserved[3];
  };
  static_assert(sizeof(State) == 24);
  State st_{};
};

}  // namespace slot::emu
