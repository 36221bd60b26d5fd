#include "emu/devices/uart16550.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
// Register bits (PC16550D table II).
constexpr uint8_t IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MS = 0x08;
constexpr uint8_t LSR_DR = 0x01, LSR_OE = 0x02, LSR_ERRORS = 0x1E, LSR_THRE = 0x20, LSR_TEMT = 0x40, LSR_FIFOERR = 0x80;
constexpr uint8_t LCR_DLAB = 0x80;
constexpr uint8_t MCR_LOOP = 0x10;
constexpr uint8_t FCR_ENABLE = 0x01;
constexpr uint8_t IIR_NONE = 0x01, IIR_RLS = 0x06, IIR_RDA = 0x04, IIR_TIMEOUT = 0x0C, IIR_THRE = 0x02, IIR_MS = 0x00;
// MSR while not in loopback: the "cable" asserts DCD, DSR and CTS (QEMU's value).
constexpr uint8_t MSR_LINES_IDLE = 0xB0;
}  // namespace

void Uart16550::reset() {
  st_ = State{};
  st_.lsr = LSR_THRE | LSR_TEMT;
  st_.msr = MSR_LINES_IDLE;
  st_.mcr = 0x08;
  st_.dll = 0x0C;  // QEMU's reset divisor (9600 baud)
  st_.irq_level = true;  // force the first update to drive the line low
  update_irq();
}

unsigned Uart16550::trigger_level() const {
  static constexpr unsigned kLevels[4] = {1, 4, 8, 14};  // FCR bits 7-6
  return kLevels[st_.fcr >> 6];
}

// IIR: the highest-priority pending, enabled source (datasheet table IV).
uint8_t Uart16550::iir() const {
  bool fifo = st_.fcr & FCR_ENABLE;
  uint8_t id = IIR_NONE;
  if ((st_.ier & IER_RLS) && (st_.lsr & (LSR_OE | LSR_ERRORS))) id = IIR_RLS;
  else if ((st_.ier & IER_RDA) && st_.rx_count >= (fifo ? trigger_level() : 1)) id = IIR_RDA;
  else if ((st_.ier & IER_RDA) && fifo && st_.rx_count > 0) id = IIR_TIMEOUT;
  else if ((st_.ier & IER_THRE) && st_.thr_ipending) id = IIR_THRE;
  else if ((st_.ier & IER_MS) && (st_.msr & 0x0F)) id = IIR_MS;
  return uint8_t(id | (fifo ? 0xC0 : 0));
}

void Uart16550::update_irq() {
  bool level = !(iir() & IIR_NONE);
  if (level != st_.irq_level) {
    st_.irq_level = level;
    if (irq_) irq_(level);
  }
}

// MSR bits 7-4 are DCD RI DSR CTS. In loopback they mirror MCR OUT2 OUT1 DTR
// RTS (datasheet 8.6); deltas: DCTS, DDSR, TERI (RI 1->0 only), DDCD.
void Uart16550::update_msr() {
  uint8_t m = st_.mcr;
  uint8_t hi = (m & MCR_LOOP) ? uint8_t((m & 0x02) << 3 | (m & 0x01) << 5 | (m & 0x04) << 4 | (m & 0x08) << 4)
                              : MSR_LINES_IDLE;
  uint8_t old = st_.msr & 0xF0, delta = 0;
  if ((hi ^ old) & 0x10) delta |= 0x01;
  if ((hi ^ old) & 0x20) delta |= 0x02;
  if ((old & 0x40) && !(hi & 0x40)) delta |= 0x04;
  if ((hi ^ old) & 0x80) delta |= 0x08;
  st_.msr = uint8_t(hi | (st_.msr & 0x0F) | delta);
}

void Uart16550::receive(uint8_t byte) {
  bool fifo = st_.fcr & FCR_ENABLE;
  if (fifo) {
    if (st_.rx_count == 16) {
      st_.lsr |= LSR_OE;  // the FIFO keeps its bytes; the new one is lost
    } else {
      st_.rx[(st_.rx_head + st_.rx_count) % 16] = byte;
      ++st_.rx_count;
    }
  } else {
    if (st_.rx_count) st_.lsr |= LSR_OE;  // the unread byte is overwritten
    st_.rx_head = 0;
    st_.rx[0] = byte;
    st_.rx_count = 1;
  }
  st_.lsr |= LSR_DR;
  update_irq();
}

void Uart16550::transmit(uint8_t byte) {
  ++st_.tx_bytes;
  if (st_.mcr & MCR_LOOP) receive(byte);
  else if (sink_) sink_->put(byte);
  st_.lsr |= LSR_THRE | LSR_TEMT;
  st_.thr_ipending = true;
}

uint8_t Uart16550::read8(uint16_t port) {
  uint8_t r = 0xFF;
  switch (port - base_) {
    case 0:
      if (st_.lcr & LCR_DLAB) return st_.dll;
      if (st_.rx_count) {
        st_.rbr = st_.rx[st_.rx_head];
        st_.rx_head = uint8_t((st_.rx_head + 1) % 16);
        --st_.rx_count;
      }
      if (!st_.rx_count) st_.lsr &= uint8_t(~LSR_DR);
      r = st_.rbr;
      break;
    case 1: return (st_.lcr & LCR_DLAB) ? st_.dlm : st_.ier;
    case 2:
      r = iir();
      if ((r & 0x0F) == IIR_THRE) st_.thr_ipending = false;  // reading IIR clears a THRE interrupt
      break;
    case 3: return st_.lcr;
    case 4: return st_.mcr;
    case 5:
      r = st_.lsr;
      st_.lsr &= uint8_t(~(LSR_OE | LSR_ERRORS | LSR_FIFOERR));
      break;
    case 6:
      r = st_.msr;
      st_.msr &= 0xF0;
      break;
    case 7: return st_.scr;
    default: return 0xFF;
  }
  update_irq();
  return r;
}

void Uart16550::write8(uint16_t port, uint8_t v) {
  switch (port - base_) {
    case 0:
      if (st_.lcr & LCR_DLAB) st_.dll = v;
      else transmit(v);
      break;
    case 1:
      if (st_.lcr & LCR_DLAB) {
        st_.dlm = v;
      } else {
        uint8_t changed = uint8_t((st_.ier ^ v) & 0x0F);
        st_.ier = v & 0x0F;
        // Enabling the THRE interrupt while THR is empty raises it at once (QEMU does the same).
        if (changed & IER_THRE) st_.thr_ipending = (st_.ier & IER_THRE) && (st_.lsr & LSR_THRE);
      }
      break;
    case 2: {  // FCR
      bool was = st_.fcr & FCR_ENABLE;
      if (bool(v & FCR_ENABLE) != was || (v & 0x02)) {  // toggling the enable or bit 1 clears the RX FIFO
        st_.rx_count = 0;
        st_.rx_head = 0;
        st_.lsr &= uint8_t(~LSR_DR);
      }
      st_.fcr = (v & FCR_ENABLE) ? uint8_t(v & 0xC9) : 0;
      break;
    }
    case 3: st_.lcr = v; break;
    case 4:
      st_.mcr = v & 0x1F;
      update_msr();
      break;
    case 7: st_.scr = v; break;
    default: break;  // LSR and MSR writes are ignored
  }
  update_irq();
}

void Uart16550::serialize(Serializer& s) {
  s.tag("uart16550");
  s.io(st_);
  if (s.loading()) {  // keep a corrupt snapshot from indexing outside the FIFO
    st_.rx_head %= 16;
    if (st_.rx_count > 16) st_.rx_count = 16;
  }
}

std::string Uart16550::dump() const {
  return fmt::format(
      "uart16550 @ {:#x}: IER {:02x} IIR {:02x} LCR {:02x} MCR {:02x} LSR {:02x} MSR {:02x} SCR {:02x} "
      "DL {:04x} FCR {:02x} rx {} byte(s), tx {} byte(s), IRQ {}\n",
      base_, st_.ier, iir(), st_.lcr, st_.mcr, st_.lsr, st_.msr, st_.scr, st_.dlm << 8 | st_.dll, st_.fcr,
      st_.rx_count, st_.tx_bytes, st_.irq_level ? "high" : "low");
}

}  // namespace slot::emu
