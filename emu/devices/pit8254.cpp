#include "emu/devices/pit8254.h"

#include <fmt/format.h>

#include <stdexcept>

namespace slot::emu {

namespace {
constexpr uint64_t kNone = ~0ull;
uint16_t to_bcd(uint32_t v) { return uint16_t((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10); }
uint32_t from_bcd(uint16_t v) {
  return (v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 + (v >> 4 & 15) * 10 + (v & 15);
}
}  // namespace

Pit8254::Pit8254(Clock& clock, IrqLine irq0) : clock_(clock), irq0_(std::move(irq0)) {
  timer_ = clock_.add_timer("pit ch0", [this](uint64_t when) { update_irq0(when); });
}

void Pit8254::reset() {
  st_ = State{};
  for (int i = 0; i < 3; ++i) {
    Channel& c = st_.ch[i];
    c.mode = 3;
    c.count = 0x10000;
    c.gate = i != 2;
    c.armed = true;  // QEMU starts every channel counting at reset
    c.load_icount = clock_.now();
  }
  update_irq0(clock_.now());
}

void Pit8254::firmware_setup() {
  write8(0x43, 0x34);  // channel 0, LSB then MSB, mode 2, binary
  write8(0x40, 0x00);
  write8(0x40, 0x00);
}

// Ticks since the count was loaded, counted from the load instant itself, as
// QEMU does (d = (now - load) * 1193182 / 1e9, rounded down). Under
// `qemu-system-x86_64 -icount shift=0` (1 ns per instruction, our default
// rate) a guest reads the very same counts: see PitTest.MatchesQemuIcount.
uint64_t Pit8254::elapsed(const Channel& c, uint64_t icount) const {
  return icount > c.load_icount ? clock_.ticks(icount - c.load_icount, kHz) : 0;
}

// "Mode Definitions", with d = ticks since the count was loaded. Before a
// count is written OUT keeps the level the control word set: low in mode 0,
// high otherwise.
bool Pit8254::out_at(const Channel& c, uint64_t d) {
  if (!c.armed) return c.mode != 0;
  switch (c.mode) {
    case 0: return d >= c.count;                      // high at terminal count, stays high
    case 1: return !c.triggered || d >= c.count;      // low for N clocks after the trigger
    case 2:                                           // low for the one clock at count 1
      if (!c.gate || c.count < 2) return true;
      return d % c.count != c.count - 1;
    case 3:                                           // high ceil(N/2), low floor(N/2)
      if (!c.gate) return true;
      return d % c.count < (c.count + 1) / 2;
    case 4: return d != c.count;                      // one low clock at terminal count
    default: return !c.triggered || d != c.count;     // mode 5: same, after a gate trigger
  }
}

uint32_t Pit8254::counter_at(const Channel& c, uint64_t d) {
  uint32_t mod = c.bcd ? 10000 : 0x10000;
  if (!c.armed || ((c.mode == 1 || c.mode == 5) && !c.triggered)) return c.count % mod;
  switch (c.mode) {
    case 2: return uint32_t(c.count - d % c.count) % mod;
    case 3: return uint32_t(c.count - (2 * d) % c.count) % mod;  // decrements by two
    default: return uint32_t((c.count + mod - d % mod) % mod);   // 0, 1, 4, 5: wraps after 0
  }
}

uint64_t Pit8254::next_edge(const Channel& c, uint64_t d) {
  if (!c.armed) return kNone;
  uint64_t n = c.count, at;
  switch (c.mode) {
    case 0: at = d < n ? n : kNone; break;
    case 1: at = c.triggered && d < n ? n : kNone; break;
    case 2:
    case 3: {
      if (!c.gate || n < 2) return kNone;
      uint64_t r = d % n, base = d - r, mid = c.mode == 2 ? n - 1 : (n + 1) / 2;
      at = r < mid ? base + mid : base + n;
      break;
    }
    default:  // 4, 5
      if (c.mode == 5 && !c.triggered) return kNone;
      at = d < n ? n : d == n ? n + 1 : kNone;
      break;
  }
  return at;
}

void Pit8254::update_irq0(uint64_t icount) {
  const Channel& c = st_.ch[0];
  uint64_t d = elapsed(c, icount);
  bool level = out_at(c, d);
  if (level != st_.irq_level) {
    st_.irq_level = level;
    if (irq0_) irq0_(level);
  }
  uint64_t edge = next_edge(c, d);
  if (edge == kNone) clock_.disarm(timer_);
  else clock_.arm(timer_, c.load_icount + clock_.icount_at_tick(edge, kHz));
}

bool Pit8254::out(int ch) const { return out_at(st_.ch[ch], elapsed(st_.ch[ch], clock_.now())); }
uint32_t Pit8254::counter(int ch) const { return counter_at(st_.ch[ch], elapsed(st_.ch[ch], clock_.now())); }

void Pit8254::set_gate(int ch, bool level) {
  Channel& c = st_.ch[ch];
  // A rising gate edge (re)starts modes 1, 2, 3 and 5 ("Gate" table).
  if (level && !c.gate && c.armed && c.mode != 0 && c.mode != 4) {
    c.load_icount = clock_.now();
    c.triggered = true;
  }
  c.gate = level;
  if (ch == 0) update_irq0(clock_.now());
}

void Pit8254::latch_count(Channel& c) {
  // "Counter Latch Command": a second latch before the first is read is ignored.
  if (c.latch_state) return;
  uint32_t v = counter_at(c, elapsed(c, clock_.now()));
  c.latched = c.bcd ? to_bcd(v) : uint16_t(v);
  c.latch_state = c.rw_mode;
}

uint8_t Pit8254::status_byte(const Channel& c) const {
  // "Read-Back Command", status format: OUT, NULL COUNT, RW1 RW0, M2 M1 M0, BCD.
  // Null count: set by a control word or count write, clear once the count
  // has been loaded into the counting element on the next CLK.
  uint64_t d = elapsed(c, clock_.now());
  bool null_count = c.null_pending && (!c.armed || d == 0);
  return uint8_t(out_at(c, d) << 7 | null_count << 6 | c.rw_mode << 4 | c.mode << 1 | c.bcd);
}

void Pit8254::control(uint8_t v) {
  int sc = v >> 6;
  if (sc == 3) {
    // Read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status, bits 3-1 select channels 2-0.
    for (int i = 0; i < 3; ++i) {
      if (!(v & (2 << i))) continue;
      Channel& c = st_.ch[i];
      if (!(v & 0x20)) latch_count(c);
      if (!(v & 0x10) && !c.status_latched) {
        c.status = status_byte(c);
        c.status_latched = true;
      }
    }
    return;
  }
  Channel& c = st_.ch[sc];
  int rw = (v >> 4) & 3;
  if (rw == 0) {
    latch_count(c);
    return;
  }
  // A control word resets the channel's control logic; OUT takes its initial level.
  c.rw_mode = uint8_t(rw);
  c.read_state = c.write_state = uint8_t(rw);
  c.latch_state = 0;
  c.status_latched = false;
  c.mode = uint8_t((v >> 1) & 7);
  if (c.mode > 5) c.mode -= 4;
  c.bcd = v & 1;
  c.armed = false;
  c.triggered = false;
  c.null_pending = true;
  if (sc == 0) update_irq0(clock_.now());
}

void Pit8254::load_count(Channel& c, uint32_t value) {
  uint32_t n = c.bcd ? from_bcd(uint16_t(value)) : value;
  if (n == 0) n = c.bcd ? 10000 : 0x10000;  // zero is the maximum count
  c.count = n;
  c.armed = true;
  c.triggered = false;
  c.null_pending = true;
  c.load_icount = clock_.now();
  if (&c == &st_.ch[0]) update_irq0(clock_.now());
}

uint8_t Pit8254::read8(uint16_t port) {
  if (port == 0x43) return 0;  // the control register is write-only; QEMU 7.2 returns 0
  Channel& c = st_.ch[port - 0x40];
  if (c.status_latched) {
    c.status_latched = false;
    return c.status;
  }
  if (c.latch_state) {
    uint8_t r = c.latch_state == kMsb || c.latch_state == kWordMsb ? uint8_t(c.latched >> 8) : uint8_t(c.latched);
    c.latch_state = c.latch_state == kWordLsb ? kWordMsb : 0;
    return r;
  }
  uint32_t v = counter_at(c, elapsed(c, clock_.now()));
  if (c.bcd) v = to_bcd(v);
  switch (c.read_state) {
    case kMsb: return uint8_t(v >> 8);
    case kWordLsb: c.read_state = kWordMsb; return uint8_t(v);
    case kWordMsb: c.read_state = kWordLsb; return uint8_t(v >> 8);
    default: return uint8_t(v);  // kLsb, and a channel never programmed (QEMU reads the LSB too)
  }
}

void Pit8254::write8(uint16_t port, uint8_t value) {
  if (port == 0x43) {
    control(value);
    return;
  }
  Channel& c = st_.ch[port - 0x40];
  switch (c.write_state) {
    case kLsb: load_count(c, value); break;
    case kMsb: load_count(c, uint32_t(value) << 8); break;
    case kWordLsb: c.write_lsb = value; c.write_state = kWordMsb; break;
    case kWordMsb: load_count(c, c.write_lsb | uint32_t(value) << 8); c.write_state = kWordLsb; break;
    default: break;  // no control word yet
  }
}

void Pit8254::serialize(Serializer& s) {
  s.tag("pit8254");
  s.io(st_);
  if (s.loading())
    for (const Channel& c : st_.ch)
      if (c.count == 0 || c.count > 0x10000 || c.mode > 5) throw std::runtime_error("snapshot load: bad 8254 state");
}

std::string Pit8254::dump() const {
  std::string text = fmt::format("pit8254: IRQ0 {}\n", st_.irq_level ? "high" : "low");
  for (int i = 0; i < 3; ++i) {
    const Channel& c = st_.ch[i];
    text += fmt::format("  ch{}: mode {} rw {} {} count {} counter {} OUT {} gate {}{}{}\n", i, c.mode, c.rw_mode,
                       c.bcd ? "bcd" : "bin", c.count, counter(i), int(out(i)), int(c.gate), c.armed ? "" : " (no count)",
                       c.latch_state ? " latched" : "");
  }
  return text;
}

uint8_t SystemPortB::read8(uint16_t) {
  st_.refresh ^= 0x10;
  return uint8_t(pit_.gate(2) | st_.speaker_data << 1 | st_.refresh | pit_.out(2) << 5);
}

void SystemPortB::write8(uint16_t, uint8_t value) {
  st_.speaker_data = value & 2;
  pit_.set_gate(2, value & 1);
}

std::string SystemPortB::dump() const {
  return fmt::format("port61: ch2 gate {} speaker {} refresh {}\n", int(pit_.gate(2)), int(st_.speaker_data),
                     st_.refresh >> 4);
}

}  // namespace slot::emu
