// The ACPI power-management registers of the PIIX4 function QEMU's pc machine
// carries, at the port block SeaBIOS assigns (0x600, as the FADT says):
// PM1a_EVT (status/enable, 0x600), PM1a_CNT (0x604), the PM timer (0x608: 24
// bits at 3.579545 MHz of guest time), the GPE0 block (0xAFE0), and the APM
// control port 0xB2 where ACPI_ENABLE (0xF1) / ACPI_DISABLE (0xF0) set and
// clear SCI_EN. Writing PM1a_CNT with SLP_EN and sleep type 0 (the pc DSDT's
// S5) powers the machine off: it stops, as QEMU exits.
//
// Not emulated: SCI events (timer overflow, power button), sleep types other
// than S5 (ignored), the PIIX4's PCI configuration (the block is fixed).
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

  AcpiPm(Clock& clock, std::function<void()> power_off) : clock_(clock), power_off_(std::move(power_off)) {}
  const char* name() const override { return "acpi-pm"; }
  void reset() override { st_ = {}; }
  uint32_t io_read(uint16_t port, unsigned size) override;
  void io_write(uint16_t port, unsigned size, uint32_t value) override;
  void serialize(Serializer& s) override { s.tag("acpi-pm"); s.io(st_); }
  std::string dump() const override;

 private:
  uint8_t reg8(uint16_t port) const;
  Clock& clock_;
  std::function<void()> power_off_;
  struct State {
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint8_t gpe_sts[2], gpe_en[2];
    uint8_t apm_cnt, apm_sts;
  };
  State st_{};
};

}  // namespace slot::emu
