// CMOS RAM and real-time clock (Motorola MC146818A compatible) at 0x70/0x71,
// IRQ 8. Reference: MC146818A datasheet, "Address Map", "Time, Calendar and
// Alarm Data Modes" (BCD/binary, 12/24 hour), "Register A-D", "Interrupts".
//
// Deterministic time: the clock starts at a fixed, documented date
// (kDefaultStart = 2024-01-01 00:00:00, a Monday) plus guest time from the
// instruction count, and updates on whole guest seconds. Nothing reads the
// host clock.
//
// Emulated: registers 0x00-0x09 (seconds .. year) in BCD or binary and 12/24
// hour mode per register B, century at 0x32, alarms with "don't care" bytes
// (0xC0-0xFF), register A (UIP set for the 244 us before each update, rate
// select), B (SET freezes the clock and clears UIE; PIE/AIE/UIE), C (PF, AF,
// UF, IRQF; cleared by reading, which also lowers IRQ 8), D (VRT=1), the NMI
// mask bit of port 0x70, NVRAM 0x0E-0x7F filled as QEMU 7.2 fills it
// (memory sizes from the RAM size, equipment and boot bytes as observed).
// Port 0x70 reads 0xFF, as in QEMU.
// Not emulated: divider chain control (DV bits are stored only), daylight
// saving, square-wave output; the day-of-week register is derived from the
// date (a guest write to it is ignored); switching BCD/binary re-encodes the
// running time instead of leaving stale register bytes.
#pragma once
#include <cstdint>

#include "emu/devices/clock.h"
#include "emu/devices/device.h"

namespace slot::emu {

class CmosRtc final : public Device {
 public:
  static constexpr int64_t kDefaultStart = 1'704'067'200;  // 2024-01-01T00:00:00Z, seconds since 1970

  CmosRtc(Clock& clock, IrqLine irq8, uint64_t ram_bytes, int64_t start_seconds = kDefaultStart);
  const char* name() const override { return "cmos-rtc"; }
  void reset() override;
  // The RESET pin (a reboot): the battery-backed time and NVRAM stay; the
  // interrupt enables PIE/AIE/UIE, SQWE and every flag in register C clear.
  void reset_pin();
  void serialize(Serializer& s) override;
  std::string dump() const override;

  bool nmi_masked() const { return st_.nmi_masked; }
  int64_t rtc_seconds() const;  // current RTC time, seconds since 1970-01-01

  // Calendar helpers (proleptic Gregorian, UTC), exposed for tests.
  struct DateTime {
    int64_t year;
    unsigned month, day, hour, minute, second, weekday;  // weekday 1 = Sunday, as register 6
  };
  static DateTime to_datetime(int64_t seconds);
  static int64_t to_seconds(const DateTime& t);

 protected:
  uint8_t read8(uint16_t port) override;
  void write8(uint16_t port, uint8_t value) override;

 private:
  struct State {
    uint8_t index;
    bool nmi_masked;
    bool irq_level;
    uint8_t ram[128];        // alarms (1, 3, 5), A-D (0x0A-0x0D) and NVRAM; time bytes live in `base`
    int64_t base;            // RTC seconds at guest second 0 (while SET = 0)
    int64_t frozen;          // RTC seconds while SET = 1
    uint64_t flags_checked;  // icount up to which register C's flags are computed
  };

  uint64_t guest_seconds(uint64_t icount) const;
  uint8_t encode(unsigned v) const;
  unsigned decode(uint8_t v) const;
  uint8_t read_time(unsigned reg, int64_t seconds) const;
  void write_time(unsigned reg, uint8_t v);
  void refresh_flags(uint64_t icount);
  void update_irq();
  void arm_timer();

  Clock& clock_;
  IrqLine irq8_;
  uint64_t ram_bytes_;
  int64_t start_;
  Clock::TimerId timer_;
  State st_{};
};

}  // namespace slot::emu
