#include "emu/devices/hpet.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
// General capabilities: period 10 ns (in fs), vendor 8086, legacy capable,
// 64-bit counter, 3 timers, revision 1 -- QEMU's value.
constexpr uint64_t kCapId = (10'000'000ull << 32) | 0x8086A201ull;
constexpr uint64_t kEnable = 1, kLegacy = 2;
// Tn_CONF bits.
constexpr uint64_t kLevel = 1ull << 1, kIntEnable = 1ull << 2, kPeriodic = 1ull << 3, kPeriodicCap = 1ull << 4,
                   kSize64 = 1ull << 5, kValSet = 1ull << 6, kMode32 = 1ull << 8, kRouteMask = 0x1Full << 9;
constexpr uint64_t kRouteCap = 0x4ull << 32;  // pin 2 only, as QEMU's pc
constexpr uint64_t kConfWritable = kLevel | kIntEnable | kPeriodic | kValSet | kMode32 | kRouteMask;
}  // namespace

Hpet::Hpet(Clock& clock, Line line) : clock_(clock), line_(std::move(line)) {
  for (unsigned t = 0; t < kTimers; ++t)
    timer_ids_[t] = clock_.add_timer("hpet timer " + std::to_string(t), [this, t](uint64_t when) { fire(t, when); });
  reset();
}

void Hpet::reset() {
  for (unsigned t = 0; t < kTimers; ++t) clock_.disarm(timer_ids_[t]);
  st_ = State{};
  for (Timer& t : st_.t) t = Timer{kRouteCap | kPeriodicCap | kSize64, ~0ull, 0, false};
}

uint64_t Hpet::counter() const {
  if (!(st_.config & kEnable)) return st_.counter_base;
  const uint64_t now = clock_.now();
  return st_.counter_base + (now > st_.base_icount ? clock_.ticks(now - st_.base_icount, kHz) : 0);
}

uint64_t Hpet::read64(uint64_t off) const {
  if (off == 0x000) return kCapId;
  if (off == 0x010) return st_.config;
  if (off == 0x020) return st_.isr;
  if (off == 0x0F0) return counter();
  if (off >= 0x100 && off < 0x100 + 0x20 * kTimers) {
    const Timer& t = st_.t[(off - 0x100) / 0x20];
    switch (off & 0x1F) {
      case 0x00: return t.config;
      case 0x08: return (t.config & kMode32) ? uint32_t(t.cmp) : t.cmp;
      default: return 0;  // FSB route: not emulated
    }
  }
  return 0;
}

uint64_t Hpet::mmio_read(uint64_t offset, unsigned size) {
  const uint64_t v = read64(offset & ~7ull);
  if (size == 8) return v;
  return size == 4 ? uint32_t(v >> (8 * (offset & 4))) : 0;
}

void Hpet::mmio_write(uint64_t offset, unsigned size, uint64_t value) {
  if (size == 8) return write64(offset & ~7ull, value, ~0ull);
  if (size != 4) return;
  const unsigned shift = unsigned(8 * (offset & 4));
  write64(offset & ~7ull, value << shift, 0xFFFFFFFFull << shift);
}

void Hpet::write64(uint64_t off, uint64_t value, uint64_t mask) {
  if (off == 0x010) {
    const uint64_t old = st_.config;
    st_.config = (st_.config & ~mask) | (value & mask & (kEnable | kLegacy));
    update_enable(old);
    return;
  }
  if (off == 0x020) {  // write 1 to clear a level-triggered timer's status
    for (unsigned t = 0; t < kTimers; ++t)
      if (value & mask & (1ull << t)) {
        st_.isr &= ~(1ull << t);
        set_line(t, false);
      }
    return;
  }
  if (off == 0x0F0) {
    if (st_.config & kEnable) return;  // the counter is written only while halted
    st_.counter_base = (st_.counter_base & ~mask) | (value & mask);
    return;
  }
  if (off < 0x100 || off >= 0x100 + 0x20 * kTimers) return;
  const unsigned n = unsigned((off - 0x100) / 0x20);
  Timer& t = st_.t[n];
  if ((off & 0x1F) == 0x00) {
    t.config = (t.config & ~(mask & kConfWritable)) | (value & mask & kConfWritable);
    if (!(t.config & kLevel)) st_.isr &= ~(1ull << n);
    set_line(n, (t.config & kLevel) && (t.config & kIntEnable) && (st_.isr & (1ull << n)));
  } else if ((off & 0x1F) == 0x08) {
    // In periodic mode a write sets the period, and the comparator too when
    // VAL_SET is set (HPET spec 2.3.9.2.2; QEMU does the same).
    if (!(t.config & kPeriodic) || (t.config & kValSet)) t.cmp = (t.cmp & ~mask) | (value & mask);
    if (t.config & kPeriodic) t.period = (t.period & ~mask) | (value & mask);
    t.config &= ~kValSet;
  } else {
    return;
  }
  arm(n);
}

void Hpet::update_enable(uint64_t old) {
  const uint64_t now = clock_.now();
  if ((old ^ st_.config) & kEnable) {
    if (st_.config & kEnable) st_.base_icount = now;  // starts counting from its value
    else st_.counter_base = st_.counter_base + (now > st_.base_icount ? clock_.ticks(now - st_.base_icount, kHz) : 0);
  }
  for (unsigned t = 0; t < kTimers; ++t) {
    set_line(t, false);
    arm(t);
  }
}

// The comparator matches when the counter reaches it (in 32-bit mode, its
// low half); the timer is armed for that instruction count.
void Hpet::arm(unsigned n) {
  const Timer& t = st_.t[n];
  if (!(st_.config & kEnable)) {
    clock_.disarm(timer_ids_[n]);
    return;
  }
  const uint64_t now_count = counter();
  uint64_t left;
  if (t.config & kMode32) left = uint32_t(uint32_t(t.cmp) - uint32_t(now_count));
  else left = t.cmp >= now_count ? t.cmp - now_count : ~0ull;  // passed: only after a wrap (never here)
  if (left == ~0ull) {
    clock_.disarm(timer_ids_[n]);
    return;
  }
  // The instruction count at which the counter reaches now_count + left.
  const uint64_t target = now_count + left - st_.counter_base;
  clock_.arm(timer_ids_[n], st_.base_icount + clock_.icount_at_tick(target, kHz));
}

void Hpet::fire(unsigned n, uint64_t deadline) {
  (void)deadline;
  Timer& t = st_.t[n];
  if (t.config & kPeriodic && t.period) t.cmp += t.period;
  // Level mode sets the status bit even with the interrupt disabled (HPET
  // spec 1.0a, Tn_INT_ENB_CNF: "the timer will still operate and generate
  // appropriate status bits"); QEMU 7.2 leaves it clear then (docs/platform.md).
  if (t.config & kLevel) {
    st_.isr |= 1ull << n;
    if (t.config & kIntEnable) set_line(n, true);
  } else if (t.config & kIntEnable) {
    set_line(n, true);  // an edge: a pulse
    set_line(n, false);
  }
  if (t.config & kPeriodic && t.period) arm(n);
}

void Hpet::set_line(unsigned n, bool level) {
  Timer& t = st_.t[n];
  if (t.line == level) return;
  t.line = level;
  if (legacy() && n < 2) line_(true, n == 0 ? 0 : 8, level);
  else line_(false, unsigned((t.config & kRouteMask) >> 9), level);
}

void Hpet::serialize(Serializer& s) {
  s.tag("hpet");
  s.io(st_);
}

std::string Hpet::dump() const {
  return fmt::format("hpet: config={:#x} counter={:#x} isr={:#x} t0={:#x}/{:#x} t1={:#x}/{:#x} t2={:#x}/{:#x}\n",
                     st_.config, counter(), st_.isr, st_.t[0].config, st_.t[0].cmp, st_.t[1].config, st_.t[1].cmp,
                     st_.t[2].config, st_.t[2].cmp);
}

}  // namespace slot::emu
