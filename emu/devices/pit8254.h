// 8254 programmable interval timer at 0x40-0x43, input clock 1.193182 MHz
// derived from the instruction count (see clock.h). Channel 0's OUT drives
// IRQ 0; channel 2's gate and OUT are reached through port 0x61.
// Reference: Intel 8254 datasheet (order no. 231164): "Control Word Format",
// "Read-Back Command", "Counter Latch Command", "Mode Definitions" (modes 0-5).
//
// Emulated: modes 0-5 (6 and 7 alias 2 and 3), LSB / MSB / LSB-then-MSB access,
// counter latch, read-back (count and status, with OUT and null-count), BCD
// counting, gate edges restarting modes 1, 2, 3 and 5, gate low forcing OUT
// high in modes 2 and 3. OUT follows the datasheet's waveforms, so channel 0
// gives IRQ 0 one rising edge per period in modes 2 and 3.
// Time: ticks are counted from the instruction at which the count was written
// (or the gate triggered), d = floor((icount - load) * 1193182 / rate), as
// QEMU counts from its load time; with QEMU's `-icount shift=0` a guest reads
// identical counts (measured, see tests/emu/pit_test.cpp).
// Simplified, as in QEMU: a count takes effect when written (the datasheet
// loads it on the next CLK, and in modes 2/3 only at the end of the current
// period); gate low does not pause counting in modes 0 and 4.
// Known difference from QEMU: QEMU's mode 2 OUT is inverted (high for one
// tick per period), so its read-back status shows OUT=0 where we show 1;
// the IRQ 0 edges happen at the same counts in both.
#pragma once
#include <cstdint>

#include "emu/devices/clock.h"
#include "emu/devices/device.h"

namespace slot::emu {

class Pit8254 final : public Device {
 public:
  static constexpr uint64_t kHz = 1'193'182;

  Pit8254(Clock& clock, IrqLine irq0);
  const char* name() const override { return "pit8254"; }
  void reset() override;  // as QEMU: every channel mode 3, count 65536, gates 1, 1, 0
  void serialize(Serializer& s) override;
  std::string dump() const override;

  // SeaBIOS leaves channel 0 in mode 2, LSB/MSB, count 65536 (18.2 Hz).
  void firmware_setup();

  void set_gate(int ch, bool level);
  bool gate(int ch) const { return st_.ch[ch].gate; }
  bool out(int ch) const;          // OUT pin now
  uint32_t counter(int ch) const;  // counting element now (binary, 0..0xFFFF)

 protected:
  uint8_t read8(uint16_t port) override;
  void write8(uint16_t port, uint8_t value) override;

 private:
  enum : uint8_t { kLsb = 1, kMsb = 2, kWordLsb = 3, kWordMsb = 4 };  // read/write sequencing
  struct Channel {
    uint32_t count;       // reload value, 1..0x10000 (binary)
    uint64_t load_icount; // instruction count at which counting (re)started
    uint16_t latched;     // counter latch / read-back value (already BCD-encoded if bcd)
    uint8_t latch_state;  // 0 = none, else kLsb/kMsb/kWordLsb/kWordMsb still to be read
    uint8_t status;
    bool status_latched;
    uint8_t read_state, write_state, write_lsb;
    uint8_t rw_mode, mode;
    bool bcd, gate, armed, triggered;
    bool null_pending;    // a control word or count was written since the last load
  };
  struct State {
    Channel ch[3];
    bool irq_level;  // last level driven on IRQ 0
  };

  uint64_t elapsed(const Channel& c, uint64_t icount) const;  // PIT ticks since the count was loaded
  static bool out_at(const Channel& c, uint64_t d);
  static uint32_t counter_at(const Channel& c, uint64_t d);
  static uint64_t next_edge(const Channel& c, uint64_t d);  // d of the next OUT change, or ~0
  void latch_count(Channel& c);
  void load_count(Channel& c, uint32_t value);
  void control(uint8_t v);
  void update_irq0(uint64_t icount);  // drive IRQ 0 for time `icount` and arm the next edge
  uint8_t status_byte(const Channel& c) const;

  Clock& clock_;
  IrqLine irq0_;
  Clock::TimerId timer_;
  State st_{};
};

// Port 0x61, "system control port B": bit 0 gate of PIT channel 2, bit 1
// speaker data enable, bit 4 the DRAM refresh toggle (flips on every read, as
// in QEMU's pcspk), bit 5 PIT channel 2 OUT. Harmless otherwise: no sound.
class SystemPortB final : public Device {
 public:
  explicit SystemPortB(Pit8254& pit) : pit_(pit) {}
  const char* name() const override { return "port61"; }
  void reset() override { st_ = {}; }  // channel 2's gate lives in the PIT
  void serialize(Serializer& s) override { s.tag("port61"); s.io(st_); }
  std::string dump() const override;

 protected:
  uint8_t read8(uint16_t port) override;
  void write8(uint16_t port, uint8_t value) override;

 private:
  struct State {
    bool speaker_data;
    uint8_t refresh;
  };
  Pit8254& pit_;
  State st_{};
};

}  // namespace slot::emu
