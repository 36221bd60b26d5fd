// The I/O APIC of QEMU's pc machine (Intel 82093AA datasheet; version 0x20,
// 24 redirection entries) at 0xFEC00000: IOREGSEL at +0x00, IOWIN at +0x10,
// the EOI register at +0x40. Pins are wired as QEMU wires them: ISA IRQ n to
// pin n, except the PIT's IRQ 0, which arrives on pin 2 (the MADT's interrupt
// source override says so).
//
// Edge-triggered entries deliver on a rising edge while unmasked; level-
// triggered entries deliver while the pin is asserted and remote IRR is
// clear, set remote IRR, and wait for the local APIC's EOI of that vector (or
// a write of it to the EOI register). Fixed and lowest-priority delivery to
// the one local APIC when the destination names it; other delivery modes are
// not delivered (docs/platform.md). The input is taken as asserted when high:
// the polarity bit is stored only (every ISA line of the pc is active high).
#pragma once
#include <cstdint>
#include <functional>

#include "emu/devices/device.h"

namespace slot::emu {

class IoApic final : public Device {
 public:
  static constexpr uint64_t kBase = 0xFEC00000;
  static constexpr unsigned kPins = 24;
  // Delivers a fixed interrupt to the local APIC if `dest` (physical or
  // logical per `logical`) names it; the APIC decides.
  using Deliver = std::function<void(uint8_t vector, bool level, uint8_t dest, bool logical)>;

  explicit IoApic(Deliver deliver) : deliver_(std::move(deliver)) { reset(); }
  const char* name() const override { return "ioapic"; }
  void reset() override;
  uint64_t mmio_read(uint64_t offset, unsigned size) override;
  void mmio_write(uint64_t offset, unsigned size, uint64_t value) override;

  void set_irq(unsigned pin, bool level);
  void eoi(uint8_t vector);  // the local APIC's EOI of a level-triggered vector

  void serialize(Serializer& s) override;
  std::string dump() const override;

 private:
  void service(unsigned pin);
  Deliver deliver_;
  struct State {
    uint32_t select;
    uint32_t id;
    uint64_t entry[kPins];
    uint32_t levels;  // the pins' input levels, bit per pin
  };
  State st_{};
};

}  // namespace slot::emu
