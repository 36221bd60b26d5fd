#include "emu/devices/board.h"

#include "mmu/arch.h"

namespace slot::emu {

// IRQ wiring of the PC (ISA interrupt assignments).
namespace irq {
constexpr unsigned kPit = 0, kCom1 = 4, kRtc = 8;
}

Board::Board(const BoardConfig& cfg)
    : cfg_(cfg),
      clock_(cfg.insns_per_second),
      pit_(clock_, pic_.line(irq::kPit)),
      port61_(pit_),
      com1_(x86::PORT_COM1, pic_.line(irq::kCom1)),
      rtc_(clock_, pic_.line(irq::kRtc), cfg.ram_bytes, cfg.rtc_start) {
  // The port map: every decoded port of the board, in one table. Everything
  // else reads all-ones and ignores writes (PortBus).
  const struct {
    uint16_t first, last;
    Device& dev;
  } port_map[] = {
      {0x0020, 0x0021, pic_},                   // 8259A master
      {0x0040, 0x0043, pit_},                   // 8254 channels 0-2, control
      {0x0061, 0x0061, port61_},                // system control port B (PIT ch2 gate/out)
      {0x0070, 0x0071, rtc_},                   // CMOS index (+NMI mask), data
      {0x0080, 0x0080, post_},                  // POST codes
      {0x00A0, 0x00A1, pic_},                   // 8259A slave
      {x86::PORT_DEBUG_EXIT, 0x00F7, debug_exit_},  // isa-debug-exit, iosize 4
      {x86::PORT_COM1, x86::PORT_COM1 + 7, com1_},  // 16550A COM1
  };
  for (const auto& e : port_map) bus_.map(e.first, e.last, &e.dev);
  reset();
}

void Board::reset(ResetKind kind) {
  clock_.reset();
  pic_.reset();
  pit_.reset();
  port61_.reset();
  com1_.reset();
  rtc_.reset();
  debug_exit_.reset();
  post_.reset();
  if (kind == ResetKind::AfterFirmware) {
    pic_.firmware_setup();
    pit_.firmware_setup();
  }
}

uint32_t Board::io_in(uint16_t port, unsigned size) {
  uint64_t now = clock_.now();
  if (clock_.next_deadline() <= now) clock_.advance(now);
  return bus_.in(port, size);
}

void Board::io_out(uint16_t port, unsigned size, uint32_t value) {
  uint64_t now = clock_.now();
  if (clock_.next_deadline() <= now) clock_.advance(now);
  bus_.out(port, size, value);
}

uint64_t Board::next_deadline(uint64_t now_icount) const {
  uint64_t d = clock_.next_deadline();
  return d < now_icount ? now_icount : d;
}

void Board::serialize(Serializer& s) {
  s.tag("board");
  clock_.serialize(s);
  pic_.serialize(s);
  pit_.serialize(s);
  port61_.serialize(s);
  com1_.serialize(s);
  rtc_.serialize(s);
  debug_exit_.serialize(s);
  post_.serialize(s);
}

std::string Board::dump() const {
  return clock_.dump() + pic_.dump() + pit_.dump() + port61_.dump() + com1_.dump() + rtc_.dump() +
         debug_exit_.dump() + post_.dump();
}

}  // namespace slot::emu
