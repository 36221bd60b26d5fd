// The PC's pair of 8259A programmable interrupt controllers: master at
// 0x20-0x21 (IRQ 0-7), slave at 0xA0-0xA1 (IRQ 8-15) cascaded on master IR2.
// Reference: Intel 8259A datasheet (order no. 231468), sections
// "Interrupt Sequence", "Initialization Command Words", "Operation Command
// Words", "The Special Fully Nest Mode", "Poll Command".
//
// Emulated: ICW1-ICW4 (single/cascade, IC4, LTIM level mode), OCW1 (IMR),
// OCW2 (non-specific/specific EOI, rotate on EOI, set priority, rotate in
// auto-EOI), OCW3 (read IRR/ISR, poll, special mask mode), auto-EOI, special
// fully nested mode, spurious IR7 (vector base+7, ISR untouched) on either chip.
// Not emulated: 8080/8085 mode (ICW4 bit 0 = 0 still yields 8086 vectors),
// buffered mode (electrical only), the ELCR at 0x4D0 (PIIX; not on our board).
// Edge-triggered IRR bits stay latched if the line drops before INTA, as in
// QEMU (the datasheet would turn that into a spurious IR7).
#pragma once
#include <cstdint>
#include <functional>

#include "emu/devices/device.h"

namespace slot::emu {

class Pic8259 final : public Device {
 public:
  const char* name() const override { return "pic8259"; }
  void reset() override;  // power-on: both chips uninitialised, IMR 0
  void serialize(Serializer& s) override;
  std::string dump() const override;

  // Drive interrupt request line 0-15 (level true = high).
  void set_irq(unsigned irq, bool level);
  IrqLine line(unsigned irq) { return [this, irq](bool level) { set_irq(irq, level); }; }

  // The INTR output to the CPU and the INTA cycle.
  bool intr_pending() const { return st_.intr; }
  uint8_t intr_ack();  // returns the vector; spurious requests give base+7
  // Called whenever INTR changes (and once after a snapshot load).
  void set_intr_listener(std::function<void(bool)> f) { on_intr_ = std::move(f); }

  // Program both chips the way SeaBIOS leaves them for a multiboot kernel in
  // QEMU 7.2 (master vectors 0x08, slave 0x70, 8086 mode, IMR 0xB8 / 0x8E).
  void firmware_setup();

  // Debug view.
  uint8_t irr(int chip) const { return st_.chip[chip].irr; }
  uint8_t isr(int chip) const { return st_.chip[chip].isr; }
  uint8_t imr(int chip) const { return st_.chip[chip].imr; }

 protected:
  uint8_t read8(uint16_t port) override;
  void write8(uint16_t port, uint8_t value) override;

 private:
  struct Chip {
    uint8_t irr, isr, imr;
    uint8_t level;         // current input line levels, for edge detection
    uint8_t vector_base;   // ICW2 & 0xF8
    uint8_t icw3;
    uint8_t init_step;     // 0 = operational, 1 = expect ICW2, 2 = ICW3, 3 = ICW4
    uint8_t lowest_plus1;  // priority rotation: IR (lowest_plus1) has the highest priority
    bool need_icw4, single, level_mode, auto_eoi, rotate_on_aeoi, sfnm, special_mask, read_isr, poll;
  };
  struct State {
    Chip chip[2];
    bool intr;
  };

  static int priority(const Chip& c, uint8_t mask);  // 0 = highest .. 7, 8 = none
  int pending_irq(int i) const;                      // highest IR that may interrupt now, or -1
  void ack(Chip& c, int irq);
  void set_line(int i, int irq, bool level);
  void update();
  void write_command(int i, uint8_t v);
  void write_data(int i, uint8_t v);

  State st_{};
  std::function<void(bool)> on_intr_;
};

}  // namespace slot::emu
