#include "emu/devices/local_apic.h"

#include <algorithm>
#include <cstdio>

#include "mmu/arch.h"

namespace slot::emu {

namespace {
// Register indices (xAPIC offset / 16; x2APIC MSR = 0x800 + index).
enum : unsigned {
  kId = 0x02, kVersion = 0x03, kTpr = 0x08, kApr = 0x09, kPpr = 0x0A, kEoi = 0x0B, kRrd = 0x0C, kLdr = 0x0D,
  kDfr = 0x0E, kSvr = 0x0F, kIsr = 0x10, kTmr = 0x18, kIrr = 0x20, kEsr = 0x28, kIcrLo = 0x30, kIcrHi = 0x31,
  kLvtFirst = 0x32, kLvtLast = 0x37, kInitial = 0x38, kCurrent = 0x39, kDivide = 0x3E, kSelfIpi = 0x3F,
};
constexpr uint32_t kVersionValue = 0x00050014;  // version 0x14, max LVT entry 5 (QEMU's)
constexpr uint32_t kMasked = 1u << 16;
constexpr uint32_t kSvrEnable = 1u << 8;
// Writable bits per LVT entry (SDM Vol. 3A Figure 10-8): vector, delivery
// mode, polarity, trigger mode, mask, timer mode.
constexpr uint32_t kLvtWritable[] = {0x700FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF};
constexpr uint32_t kTimerModeMask = 3u << 17, kTimerPeriodic = 1u << 17, kTimerDeadline = 2u << 17;
constexpr uint64_t kBusHz = 1'000'000'000;
// ESR bits (SDM Vol. 3A §10.5.3).
constexpr uint32_t kEsrSendIllegal = 1u << 5, kEsrRecvIllegal = 1u << 6;

uint32_t divisor(uint32_t dcr) {
  const uint32_t v = ((dcr & 8) >> 1) | (dcr & 3);
  return v == 7 ? 1 : 2u << v;
}
}  // namespace

LocalApic::LocalApic(Clock& clock) : clock_(clock) {
  timer_ = clock_.add_timer("lapic timer", [this](uint64_t when) { timer_fired(when); });
  reset();
}

void LocalApic::reset() {
  clock_.disarm(timer_);
  st_ = State{};
  st_.base = x86::APIC_DEFAULT_BASE | x86::APIC_BASE_BSP | x86::APIC_BASE_EN;
  st_.dfr = 0xFFFFFFFF;
  st_.svr = 0xFF;
  for (uint32_t& l : st_.lvt) l = kMasked;
}

void LocalApic::firmware_setup() {
  // Read back from QEMU 7.2 + SeaBIOS at a multiboot kernel's entry
  // (tests/boot/kernels/platform): enabled, LINT0 ExtINT and LINT1 NMI (both
  // level), and the last IPI SeaBIOS sent (a SIPI to all but itself) in ICR.
  st_.svr = 0x1FF;
  st_.lvt[kLint0] = 0x8700;
  st_.lvt[kLint1] = 0x8400;
  st_.icr_lo = 0xC4610;
}

uint64_t LocalApic::mmio_base() const {
  if ((st_.base & (x86::APIC_BASE_EN | x86::APIC_BASE_EXTD)) != x86::APIC_BASE_EN) return kNotMapped;
  return st_.base & 0xFFFFFF000ull;
}

// ---- registers ------------------------------------------------------------

unsigned LocalApic::ppr() const {
  // SDM Vol. 3A §10.8.3.1: PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4.
  const int isrv = highest(st_.isr);
  const unsigned isr_class = isrv < 0 ? 0 : unsigned(isrv) & 0xF0;
  return (st_.tpr & 0xF0) >= isr_class ? st_.tpr & 0xFF : isr_class;
}

int LocalApic::highest(const std::array<uint32_t, 8>& v) const {
  for (int w = 7; w >= 0; --w)
    if (v[w]) return w * 32 + 31 - __builtin_clz(v[w]);
  return -1;
}

uint32_t LocalApic::current_count() const {
  if (!st_.initial || (st_.lvt[kTimer] & kTimerModeMask) == kTimerDeadline) return 0;
  const uint64_t d = timer_ticks(clock_.now());
  if ((st_.lvt[kTimer] & kTimerModeMask) == kTimerPeriodic) return uint32_t(st_.initial - d % st_.initial);
  return d >= st_.initial ? 0 : uint32_t(st_.initial - d);
}

uint32_t LocalApic::read_reg(unsigned i) const {
  const bool x2 = st_.base & x86::APIC_BASE_EXTD;
  switch (i) {
    case kId: return x2 ? st_.id : st_.id << 24;
    case kVersion: return kVersionValue;
    case kTpr: return st_.tpr;
    case kPpr: return ppr();
    case kLdr: return x2 ? ((st_.id >> 4) << 16) | (1u << (st_.id & 15)) : st_.ldr;  // SDM §10.12.10.2
    case kDfr: return st_.dfr;
    case kSvr: return st_.svr;
    case kEsr: return st_.esr;
    case kIcrLo: return st_.icr_lo;
    case kIcrHi: return st_.icr_hi;
    case kInitial: return st_.initial;
    case kCurrent: return current_count();
    case kDivide: return st_.divide;
    default: break;
  }
  if (i >= kIsr && i < kIsr + 8) return st_.isr[i - kIsr];
  if (i >= kTmr && i < kTmr + 8) return st_.tmr[i - kTmr];
  if (i >= kIrr && i < kIrr + 8) return st_.irr[i - kIrr];
  if (i >= kLvtFirst && i <= kLvtLast) return st_.lvt[i - kLvtFirst];
  return 0;
}

bool LocalApic::readable(unsigned i, bool x2) const {
  if (i == kEoi || i == kSelfIpi) return !x2 && i == kEoi;  // write-only in x2APIC mode
  if (i == kIcrHi || i == kDfr) return !x2;                 // x2APIC: ICR is one 64-bit MSR; no DFR
  if (i == kApr || i == kRrd) return !x2;
  return i == kId || i == kVersion || i == kTpr || i == kPpr || i == kLdr || i == kDfr || i == kSvr ||
         (i >= kIsr && i < kIrr + 8) || i == kEsr || i == kIcrLo || (i >= kLvtFirst && i <= kLvtLast) ||
         i == kInitial || i == kCurrent || i == kDivide;
}

void LocalApic::set_sw_enabled(bool on) {
  // SDM Vol. 3A §10.4.7.2: software-disabled, every LVT entry is masked and
  // stays masked. (QEMU 7.2 leaves the masks alone; docs/platform.md.)
  if (!on)
    for (uint32_t& l : st_.lvt) l |= kMasked;
}

bool LocalApic::write_reg(unsigned i, uint64_t value, bool x2) {
  const uint32_t v = uint32_t(value);
  switch (i) {
    case kId: if (x2) return false; st_.id = v >> 24; return true;
    case kTpr: st_.tpr = v & 0xFF; changed(); return true;
    case kEoi: if (x2 && v) return false; eoi(); return true;
    case kLdr: if (x2) return false; st_.ldr = v & 0xFF000000; return true;
    case kDfr: if (x2) return false; st_.dfr = v | 0x0FFFFFFF; return true;
    case kSvr:
      st_.svr = v & 0x1FF;
      set_sw_enabled(v & kSvrEnable);
      return true;
    case kEsr:
      if (x2 && v) return false;
      st_.esr = st_.esr_pending;  // a write latches the errors since the last one (SDM §10.5.3)
      st_.esr_pending = 0;
      return true;
    case kIcrLo:
      st_.icr_lo = v & 0x000CDFFF;  // delivery status (bit 12) reads idle: the IPI is sent at once
      if (x2) st_.icr_hi = uint32_t(value >> 32);
      send_ipi(st_.icr_lo, x2 ? st_.icr_hi : st_.icr_hi >> 24);
      return true;
    case kIcrHi: if (x2) return false; st_.icr_hi = v & 0xFF000000; return true;
    case kInitial:
      if ((st_.lvt[kTimer] & kTimerModeMask) == kTimerDeadline) return true;  // ignored in TSC-deadline mode
      st_.initial = v;
      timer_start();
      return true;
    case kDivide: st_.divide = v & 0xB; timer_start(); return true;
    case kSelfIpi:
      if (!x2) return true;
      accept(uint8_t(v), false);
      return true;
    default: break;
  }
  if (i >= kLvtFirst && i <= kLvtLast) {
    const unsigned l = i - kLvtFirst;
    uint32_t nv = v & kLvtWritable[l];
    if (!(st_.svr & kSvrEnable)) nv |= kMasked;
    const uint32_t old_mode = st_.lvt[kTimer] & kTimerModeMask;
    st_.lvt[l] = nv;
    if (l == kTimer && (nv & kTimerModeMask) != old_mode) {
      // Switching to or from TSC-deadline mode disarms the timer (SDM §10.5.4.1).
      st_.initial = 0;
      st_.deadline = 0;
      timer_start();
    }
    if (l == kLint0) changed();  // the PIC's route may have opened or closed
    return true;
  }
  return !x2;  // read-only registers ignore xAPIC writes; in x2APIC mode they #GP (SDM §10.12.1.2)
}

uint64_t LocalApic::mmio_read(uint64_t offset, unsigned size) {
  if (offset & 0xF || offset >= 0x400) return 0;  // only the first dword of each 16 bytes decodes
  const uint32_t v = read_reg(unsigned(offset >> 4));
  return size >= 4 ? v : v & ((1u << (size * 8)) - 1);
}

void LocalApic::mmio_write(uint64_t offset, unsigned size, uint64_t value) {
  if (size < 4 || offset & 0xF || offset >= 0x400) return;
  const unsigned i = unsigned(offset >> 4);
  if (i == kSelfIpi) return;  // x2APIC only
  write_reg(i, uint32_t(value), false);
}

bool LocalApic::msr_read(uint32_t msr, uint64_t& value) const {
  if (msr == x86::MSR_APIC_BASE) return value = st_.base, true;
  if (msr == x86::MSR_TSC_DEADLINE) return value = st_.deadline, true;
  if (msr < x86::MSR_X2APIC_FIRST || msr > x86::MSR_X2APIC_LAST || !(st_.base & x86::APIC_BASE_EXTD)) return false;
  const unsigned i = msr - x86::MSR_X2APIC_FIRST;
  if (!readable(i, true)) return false;
  value = read_reg(i);
  if (i == kIcrLo) value |= uint64_t(st_.icr_hi) << 32;
  return true;
}

bool LocalApic::msr_write(uint32_t msr, uint64_t value) {
  if (msr == x86::MSR_APIC_BASE) {
    // SDM Vol. 3A §10.12.1: bits above MAXPHYADDR (40) and 0-7, 9 are
    // reserved; x2APIC without EN, and x2APIC back to xAPIC, are invalid.
    constexpr uint64_t kWritable = 0xFFFFFF000ull | x86::APIC_BASE_BSP | x86::APIC_BASE_EXTD | x86::APIC_BASE_EN;
    const bool en = value & x86::APIC_BASE_EN, extd = value & x86::APIC_BASE_EXTD;
    const bool was_x2 = st_.base & x86::APIC_BASE_EXTD;
    if ((value & ~kWritable) || (extd && !en) || (was_x2 && en && !extd)) return false;
    const bool was_en = st_.base & x86::APIC_BASE_EN;
    st_.base = (value & ~x86::APIC_BASE_BSP) | (st_.base & x86::APIC_BASE_BSP);  // BSP is fixed at reset
    if (was_en && !en) {
      // Globally disabled: as after reset but for the base (SDM §10.4.3).
      const uint64_t base = st_.base;
      const uint32_t id = st_.id;
      reset();
      st_.base = base;
      st_.id = id;
    }
    changed();
    return true;
  }
  if (msr == x86::MSR_TSC_DEADLINE) {
    if ((st_.lvt[kTimer] & kTimerModeMask) != kTimerDeadline) return true;  // ignored in the other modes
    st_.deadline = value;
    if (value) clock_.arm(timer_, value > clock_.now() ? value : clock_.now());
    else clock_.disarm(timer_);
    return true;
  }
  if (msr < x86::MSR_X2APIC_FIRST || msr > x86::MSR_X2APIC_LAST || !(st_.base & x86::APIC_BASE_EXTD)) return false;
  const unsigned i = msr - x86::MSR_X2APIC_FIRST;
  if (i != kSelfIpi && i != kEoi && i != kIcrLo && !readable(i, true)) return false;
  if (value >> 32 && i != kIcrLo) return false;  // reserved upper halves (SDM §10.12.1.2)
  return write_reg(i, value, true);
}

// ---- interrupts -------------------------------------------------------------

void LocalApic::accept(uint8_t vector, bool level) {
  if (vector < 16) {  // vectors 0-15 are illegal (SDM §10.5.3)
    st_.esr_pending |= kEsrRecvIllegal;
    return;
  }
  st_.irr[vector >> 5] |= 1u << (vector & 31);
  if (level) st_.tmr[vector >> 5] |= 1u << (vector & 31);
  else st_.tmr[vector >> 5] &= ~(1u << (vector & 31));
  changed();
}

bool LocalApic::addressed(uint8_t dest, bool logical) const {
  if (!(st_.base & x86::APIC_BASE_EN)) return false;
  if (logical) return (dest & (st_.ldr >> 24)) != 0;
  return dest == 0xFF || dest == (st_.id & 0xFF);
}

bool LocalApic::pic_routed() const {
  if (!(st_.base & x86::APIC_BASE_EN)) return true;
  const uint32_t l = st_.lvt[kLint0];
  return !(l & kMasked) && ((l >> 8) & 7) == 7;  // ExtINT
}

bool LocalApic::pending() const {
  if (!(st_.base & x86::APIC_BASE_EN)) return false;
  const int v = highest(st_.irr);
  return v >= 0 && (unsigned(v) & 0xF0) > (ppr() & 0xF0);
}

uint8_t LocalApic::ack() {
  if (!pending()) return uint8_t(st_.svr & 0xFF);  // spurious: no ISR bit (SDM §10.9)
  const unsigned v = unsigned(highest(st_.irr));
  st_.irr[v >> 5] &= ~(1u << (v & 31));
  st_.isr[v >> 5] |= 1u << (v & 31);
  changed();
  return uint8_t(v);
}

void LocalApic::eoi() {
  const int v = highest(st_.isr);
  if (v < 0) return;
  st_.isr[v >> 5] &= ~(1u << (v & 31));
  if (st_.tmr[v >> 5] & (1u << (v & 31)) && on_eoi_) on_eoi_(uint8_t(v));
  changed();
}

void LocalApic::send_ipi(uint32_t low, uint32_t dest) {
  const uint8_t vector = uint8_t(low);
  const unsigned mode = (low >> 8) & 7, shorthand = (low >> 18) & 3;
  const bool x2 = st_.base & x86::APIC_BASE_EXTD;
  bool self = false;
  switch (shorthand) {
    case 0:
      if (low & (1u << 11))  // logical: flat model in xAPIC, cluster in x2APIC
        self = x2 ? (dest >> 16) == (st_.id >> 4) && (dest & (1u << (st_.id & 15)))
                  : (dest & (st_.ldr >> 24)) != 0;
      else
        self = dest == st_.id || dest == (x2 ? 0xFFFFFFFFu : 0xFFu);
      break;
    case 1: case 2: self = true; break;
    default: break;  // all but self: there is no other CPU
  }
  if (!self) return;
  if (mode == 0 || mode == 1) {  // fixed, lowest priority
    if (vector < 16) {
      st_.esr_pending |= kEsrSendIllegal;
      return;
    }
    accept(vector, false);
  } else if (mode == 4 && on_nmi_) {  // NMI: the vector field is ignored (SDM Vol. 3A §10.6.1)
    on_nmi_();
  }
  // SMI, INIT, SIPI to self: not delivered (docs/platform.md).
}

// ---- timer ------------------------------------------------------------------

uint64_t LocalApic::timer_ticks(uint64_t icount) const {
  return icount > st_.load_icount ? clock_.ticks(icount - st_.load_icount, kBusHz / divisor(st_.divide)) : 0;
}

void LocalApic::timer_start() {
  const uint32_t mode = st_.lvt[kTimer] & kTimerModeMask;
  if (mode == kTimerDeadline) {
    if (st_.deadline) clock_.arm(timer_, std::max(st_.deadline, clock_.now()));
    else clock_.disarm(timer_);
    return;
  }
  st_.load_icount = clock_.now();
  if (!st_.initial) {
    clock_.disarm(timer_);
    return;
  }
  // The count reaches 0 after `initial` ticks (SDM §10.5.4).
  clock_.arm(timer_, st_.load_icount + clock_.icount_at_tick(st_.initial, kBusHz / divisor(st_.divide)));
}

void LocalApic::timer_fired(uint64_t deadline) {
  const uint32_t lvt = st_.lvt[kTimer];
  const uint32_t mode = lvt & kTimerModeMask;
  if (mode == kTimerDeadline) {
    st_.deadline = 0;  // the MSR reads 0 once the timer has fired
  } else if (mode == kTimerPeriodic && st_.initial) {
    st_.load_icount = deadline;
    clock_.arm(timer_, deadline + clock_.icount_at_tick(st_.initial, kBusHz / divisor(st_.divide)));
  }
  if (!(lvt & kMasked)) accept(uint8_t(lvt), false);
}

void LocalApic::serialize(Serializer& s) {
  s.tag("lapic");
  s.io(st_);
}

std::string LocalApic::dump() const {
  char b[256];
  std::snprintf(b, sizeof b,
                "lapic: base=%#llx id=%u svr=%#x tpr=%#x ppr=%#x icr=%#x:%#x timer lvt=%#x initial=%u current=%u "
                "divide=%#x lint0=%#x lint1=%#x\n",
                (unsigned long long)st_.base, st_.id, st_.svr, st_.tpr, ppr(), st_.icr_hi, st_.icr_lo, st_.lvt[kTimer],
                st_.initial, current_count(), st_.divide, st_.lvt[kLint0], st_.lvt[kLint1]);
  return b;
}

}  // namespace slot::emu
