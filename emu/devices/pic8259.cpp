#include "emu/devices/pic8259.h"

#include <fmt/format.h>

namespace slot::emu {

void Pic8259::reset() {
  bool was = st_.intr;
  st_ = State{};
  if (was && on_intr_) on_intr_(false);
}

void Pic8259::firmware_setup() {
  // The sequence SeaBIOS sends (ICW1 0x11: edge, cascade, IC4; ICW3 0x04 / 0x02;
  // ICW4 0x01: 8086 mode, normal EOI), then its masks, observed under QEMU 7.2.
  write8(0x20, 0x11); write8(0x21, 0x08); write8(0x21, 0x04); write8(0x21, 0x01);
  write8(0xA0, 0x11); write8(0xA1, 0x70); write8(0xA1, 0x02); write8(0xA1, 0x01);
  write8(0x21, 0xB8);
  write8(0xA1, 0x8E);
}

// Priority is counted from the rotation point: IR (lowest_plus1) is level 0.
int Pic8259::priority(const Chip& c, uint8_t mask) {
  if (mask == 0) return 8;
  int p = 0;
  while (!(mask & (1u << ((p + c.lowest_plus1) & 7)))) ++p;
  return p;
}

// Datasheet "Interrupt Sequence": an unmasked IRR bit interrupts if its level
// is above every in-service level. In special mask mode, masked ISR bits do not
// block (OCW3 SMM); in special fully nested mode the master lets its slave's
// IR2 interrupt again while IR2 is in service ("The Special Fully Nest Mode").
int Pic8259::pending_irq(int i) const {
  const Chip& c = st_.chip[i];
  int p = priority(c, uint8_t(c.irr & ~c.imr));
  if (p == 8) return -1;
  uint8_t in_service = c.isr;
  if (c.special_mask) in_service &= uint8_t(~c.imr);
  if (i == 0 && c.sfnm) in_service &= uint8_t(~(1u << 2));
  return p < priority(c, in_service) ? (p + c.lowest_plus1) & 7 : -1;
}

void Pic8259::set_line(int i, int irq, bool level) {
  Chip& c = st_.chip[i];
  uint8_t bit = uint8_t(1u << irq);
  if (c.level_mode) {
    // LTIM=1: IRR follows the line (datasheet, ICW1 "LTIM").
    if (level) c.irr |= bit; else c.irr &= uint8_t(~bit);
  } else if (level && !(c.level & bit)) {
    c.irr |= bit;  // a rising edge latches the request
  }
  if (level) c.level |= bit; else c.level &= uint8_t(~bit);
}

void Pic8259::update() {
  // The slave's INT output drives master IR2 (cascade) unless the master was
  // told it is alone (ICW1 SNGL).
  if (!st_.chip[0].single) set_line(0, 2, pending_irq(1) >= 0);
  bool intr = pending_irq(0) >= 0;
  if (intr != st_.intr) {
    st_.intr = intr;
    if (on_intr_) on_intr_(intr);
  }
}

void Pic8259::set_irq(unsigned irq, bool level) {
  if (irq >= 16) return;
  set_line(int(irq >> 3), int(irq & 7), level);
  update();
}

// INTA: the ISR bit is set (unless auto-EOI) and an edge request is consumed.
void Pic8259::ack(Chip& c, int irq) {
  uint8_t bit = uint8_t(1u << irq);
  if (c.auto_eoi) {
    if (c.rotate_on_aeoi) c.lowest_plus1 = uint8_t((irq + 1) & 7);
  } else {
    c.isr |= bit;
  }
  if (!c.level_mode) c.irr &= uint8_t(~bit);
}

uint8_t Pic8259::intr_ack() {
  Chip& m = st_.chip[0];
  Chip& s = st_.chip[1];
  int irq = pending_irq(0);
  uint8_t vector;
  if (irq < 0) {
    vector = uint8_t(m.vector_base + 7);  // spurious IR7: ISR not set (datasheet, "Interrupt Sequence")
  } else {
    ack(m, irq);
    if (irq == 2 && !m.single) {
      int irq2 = pending_irq(1);
      if (irq2 >= 0) ack(s, irq2);
      else irq2 = 7;  // spurious IR15: the master's IR2 stays in service, the slave's does not
      vector = uint8_t(s.vector_base + irq2);
    } else {
      vector = uint8_t(m.vector_base + irq);
    }
  }
  update();
  return vector;
}

void Pic8259::write_command(int i, uint8_t v) {
  Chip& c = st_.chip[i];
  if (v & 0x10) {
    // ICW1: "the edge sense circuit is reset", IMR cleared, IR7 lowest priority,
    // special mask cleared, status read set to IRR; ICW4 functions cleared.
    // The line levels stay: a line already high needs a new rising edge.
    uint8_t level = c.level, base = c.vector_base;
    c = Chip{};
    c.level = level;
    c.vector_base = base;
    c.icw3 = 7;
    c.need_icw4 = v & 0x01;
    c.single = v & 0x02;
    c.level_mode = v & 0x08;
    c.init_step = 1;
  } else if (v & 0x08) {
    // OCW3.
    if (v & 0x04) c.poll = true;
    if (v & 0x02) c.read_isr = v & 0x01;
    if (v & 0x40) c.special_mask = v & 0x20;
  } else {
    // OCW2: bits 7-5 are R, SL, EOI; bits 2-0 the level for the specific forms.
    int cmd = v >> 5, level = v & 7;
    switch (cmd) {
      case 0: c.rotate_on_aeoi = false; break;
      case 4: c.rotate_on_aeoi = true; break;
      case 1:    // non-specific EOI: clears the highest-priority ISR bit
      case 5: {  // ... and rotates so that it becomes the lowest priority
        int p = priority(c, c.isr);
        if (p != 8) {
          int irq = (p + c.lowest_plus1) & 7;
          c.isr &= uint8_t(~(1u << irq));
          if (cmd == 5) c.lowest_plus1 = uint8_t((irq + 1) & 7);
        }
        break;
      }
      case 3: c.isr &= uint8_t(~(1u << level)); break;  // specific EOI
      case 6: c.lowest_plus1 = uint8_t((level + 1) & 7); break;  // set priority: `level` lowest
      case 7:  // rotate on specific EOI
        c.isr &= uint8_t(~(1u << level));
        c.lowest_plus1 = uint8_t((level + 1) & 7);
        break;
      default: break;  // 2: no operation
    }
  }
  update();
}

void Pic8259::write_data(int i, uint8_t v) {
  Chip& c = st_.chip[i];
  switch (c.init_step) {
    case 1:  // ICW2: T7-T3 of the vector
      c.vector_base = v & 0xF8;
      c.init_step = c.single ? (c.need_icw4 ? 3 : 0) : 2;
      break;
    case 2:  // ICW3: slave map (master) or slave id (slave); routing is fixed on a PC
      c.icw3 = v;
      c.init_step = c.need_icw4 ? 3 : 0;
      break;
    case 3:  // ICW4: SFNM (bit 4), AEOI (bit 1)
      c.sfnm = v & 0x10;
      c.auto_eoi = v & 0x02;
      c.init_step = 0;
      break;
    default:  // OCW1
      c.imr = v;
      break;
  }
  update();
}

uint8_t Pic8259::read8(uint16_t port) {
  int i = port >= 0xA0;
  Chip& c = st_.chip[i];
  if (port & 1) return c.imr;
  if (c.poll) {
    // Poll command: the next read acts as an INTA and returns I (bit 7) and
    // the highest pending level (datasheet, "Poll Command").
    c.poll = false;
    int irq = pending_irq(i);
    if (irq < 0) return 0;
    ack(c, irq);
    update();
    return uint8_t(0x80 | irq);
  }
  return c.read_isr ? c.isr : c.irr;
}

void Pic8259::write8(uint16_t port, uint8_t value) {
  int i = port >= 0xA0;
  if (port & 1) write_data(i, value); else write_command(i, value);
}

void Pic8259::serialize(Serializer& s) {
  s.tag("pic8259");
  s.io(st_);
  if (s.loading() && on_intr_) on_intr_(st_.intr);
}

std::string Pic8259::dump() const {
  std::string out = fmt::format("pic8259: INTR {}\n", st_.intr ? "high" : "low");
  for (int i = 0; i < 2; ++i) {
    const Chip& c = st_.chip[i];
    out += fmt::format(
        "  {}: IRR {:08b} ISR {:08b} IMR {:08b} lines {:08b} base {:#04x} init-step {} lowest IR{}{}{}{}{}{}\n",
        i ? "slave " : "master", c.irr, c.isr, c.imr, c.level, c.vector_base, c.init_step, (c.lowest_plus1 + 7) & 7,
        c.auto_eoi ? " AEOI" : "", c.sfnm ? " SFNM" : "", c.special_mask ? " SMM" : "", c.level_mode ? " LTIM" : "",
        c.read_isr ? " read=ISR" : " read=IRR");
  }
  return out;
}

}  // namespace slot::emu
