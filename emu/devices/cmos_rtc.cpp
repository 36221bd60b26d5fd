#include "emu/devices/cmos_rtc.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

namespace slot::emu {

namespace {
constexpr uint8_t REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D, REG_CENTURY = 0x32;
constexpr uint8_t A_UIP = 0x80;
constexpr uint8_t B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_BINARY = 0x04, B_24H = 0x02;
constexpr uint8_t C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
constexpr uint64_t kRtcHz = 32768;
// UIP rises 244 us before each update (MC146818A "Update Cycle": tBUC = 244 us).
constexpr uint64_t kUipNs = 244'141;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 for a proleptic Gregorian date, counting years from
// March so that the leap day is the last day of the year.
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;                                 // [0, 399]
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // day of the March-based year
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;         // day of the 400-year era
  return era * 146097 + doe - 719468;                          // 719468 = days from 0000-03-01 to 1970-01-01
}

// Periodic interrupt period in 32.768 kHz ticks for rate select RS (register
// A bits 3-0, datasheet table "Periodic Interrupt Rate"); 0 = off.
uint64_t periodic_ticks(unsigned rs) {
  if (rs == 0) return 0;
  if (rs <= 2) return 1u << (rs + 6);  // RS 1, 2 repeat RS 8, 9: 3.90625 ms, 7.8125 ms
  return 1u << (rs - 1);               // RS 3 = 122.070 us ... RS 15 = 500 ms
}
}  // namespace

CmosRtc::DateTime CmosRtc::to_datetime(int64_t seconds) {
  int64_t days = floor_div(seconds, 86400), sod = seconds - days * 86400;
  DateTime t{};
  t.hour = unsigned(sod / 3600);
  t.minute = unsigned(sod / 60 % 60);
  t.second = unsigned(sod % 60);
  t.weekday = unsigned((days % 7 + 7 + 4) % 7) + 1;  // 1970-01-01 was a Thursday; Sunday = 1
  int64_t z = days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  t.day = unsigned(doy - (153 * mp + 2) / 5 + 1);
  t.month = unsigned(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  return t;
}

int64_t CmosRtc::to_seconds(const DateTime& t) {
  return days_from_civil(t.year, t.month, t.day) * 86400 + int64_t(t.hour) * 3600 + int64_t(t.minute) * 60 + t.second;
}

CmosRtc::CmosRtc(Clock& clock, IrqLine irq8, uint64_t ram_bytes, int64_t start_seconds)
    : clock_(clock), irq8_(std::move(irq8)), ram_bytes_(ram_bytes), start_(start_seconds) {
  timer_ = clock_.add_timer("rtc", [this](uint64_t when) {
    refresh_flags(when);
    update_irq();
    arm_timer();
  });
}

void CmosRtc::reset() {
  bool was = st_.irq_level;
  st_ = State{};
  uint8_t* r = st_.ram;
  r[REG_A] = 0x26;  // 32.768 kHz time base, 1024 Hz rate (QEMU's reset value)
  r[REG_B] = B_24H;
  r[REG_D] = 0x80;  // valid RAM and time
  // NVRAM as QEMU 7.2's pc_cmos_init leaves it (observed from a guest).
  auto put16 = [r](int at, uint64_t v) { r[at] = uint8_t(v); r[at + 1] = uint8_t(v >> 8); };
  uint64_t kib = ram_bytes_ / 1024;
  r[0x10] = 0x50;                                   // floppy types
  r[0x14] = 0x07;                                   // equipment byte
  put16(0x15, 640);                                 // base memory, KiB
  uint64_t ext = kib > 1024 ? std::min<uint64_t>(kib - 1024, 0xFFFF) : 0;
  put16(0x17, ext);                                 // extended memory above 1 MiB, KiB
  put16(0x30, ext);
  uint64_t above16 = ram_bytes_ > (16u << 20) ? std::min<uint64_t>((ram_bytes_ - (16u << 20)) >> 16, 0xFFFF) : 0;
  put16(0x34, above16);                             // memory above 16 MiB, 64 KiB blocks
  uint64_t above4g = ram_bytes_ > (4ull << 30) ? (ram_bytes_ - (4ull << 30)) >> 16 : 0;
  r[0x5B] = uint8_t(above4g); r[0x5C] = uint8_t(above4g >> 8); r[0x5D] = uint8_t(above4g >> 16);
  r[0x37] = 0x20;                                   // IBM PS/2 century byte
  r[0x38] = 0x30;                                   // boot device bytes
  r[0x3D] = 0x12;
  st_.base = start_ - int64_t(guest_seconds(clock_.now()));
  st_.frozen = start_;
  st_.flags_checked = clock_.now();
  clock_.disarm(timer_);
  if (was && irq8_) irq8_(false);
}

void CmosRtc::reset_pin() {
  refresh_flags(clock_.now());
  st_.ram[REG_B] &= uint8_t(~(B_PIE | B_AIE | B_UIE | 0x08));  // 0x08: SQWE
  st_.ram[REG_C] = 0;
  update_irq();
  arm_timer();
}

uint64_t CmosRtc::guest_seconds(uint64_t icount) const { return clock_.ticks(icount, 1); }

int64_t CmosRtc::rtc_seconds() const {
  return (st_.ram[REG_B] & B_SET) ? st_.frozen : st_.base + int64_t(guest_seconds(clock_.now()));
}

uint8_t CmosRtc::encode(unsigned v) const {
  return (st_.ram[REG_B] & B_BINARY) ? uint8_t(v) : uint8_t((v / 10 % 10) << 4 | v % 10);
}
unsigned CmosRtc::decode(uint8_t v) const { return (st_.ram[REG_B] & B_BINARY) ? v : (v >> 4) * 10u + (v & 15u); }

uint8_t CmosRtc::read_time(unsigned reg, int64_t seconds) const {
  DateTime t = to_datetime(seconds);
  switch (reg) {
    case 0: return encode(t.second);
    case 2: return encode(t.minute);
    case 4:
      if (st_.ram[REG_B] & B_24H) return encode(t.hour);
      // 12-hour mode: 1-12, bit 7 = PM ("Time, Calendar and Alarm Data Modes").
      return uint8_t(encode(t.hour % 12 ? t.hour % 12 : 12) | (t.hour >= 12 ? 0x80 : 0));
    case 6: return encode(t.weekday);
    case 7: return encode(t.day);
    case 8: return encode(t.month);
    case 9: return encode(unsigned(t.year % 100));
    default: return encode(unsigned(t.year / 100 % 100));  // REG_CENTURY
  }
}

void CmosRtc::write_time(unsigned reg, uint8_t v) {
  refresh_flags(clock_.now());
  DateTime t = to_datetime(rtc_seconds());
  unsigned x = decode(v & (reg == 4 ? 0x7F : 0xFF));
  switch (reg) {
    case 0: t.second = x; break;
    case 2: t.minute = x; break;
    case 4:
      if (st_.ram[REG_B] & B_24H) t.hour = x;
      else t.hour = x % 12 + ((v & 0x80) ? 12 : 0);
      break;
    case 6: return;  // derived from the date
    case 7: t.day = x; break;
    case 8: t.month = x; break;
    case 9: t.year = t.year / 100 * 100 + x; break;
    default: t.year = int64_t(x) * 100 + t.year % 100; break;
  }
  if (t.month < 1 || t.month > 12) t.month = 1;  // out-of-range bytes: keep the arithmetic defined
  int64_t secs = to_seconds(t);
  if (st_.ram[REG_B] & B_SET) st_.frozen = secs;
  else st_.base = secs - int64_t(guest_seconds(clock_.now()));
}

// Register C's flags are computed lazily: every periodic tick and every update
// (and alarm match) between flags_checked and `icount` is accounted for here.
void CmosRtc::refresh_flags(uint64_t icount) {
  uint64_t a = st_.flags_checked;
  if (icount <= a) return;
  uint8_t f = 0;
  if (uint64_t p = periodic_ticks(st_.ram[REG_A] & 15))
    if (clock_.ticks(icount, kRtcHz) / p > clock_.ticks(a, kRtcHz) / p) f |= C_PF;
  if (!(st_.ram[REG_B] & B_SET)) {
    uint64_t sa = guest_seconds(a), sb = guest_seconds(icount);
    if (sb > sa) {
      f |= C_UF;
      // An alarm matches when every alarm byte equals its time byte or is a
      // "don't care" code (0xC0-0xFF). The pattern repeats daily, so one day
      // of updates is enough to scan.
      for (uint64_t k = std::max(sa + 1, sb >= 86399 ? sb - 86399 : 0); k <= sb && !(f & C_AF); ++k) {
        int64_t t = st_.base + int64_t(k);
        bool match = true;
        for (unsigned reg : {0u, 2u, 4u})
          if (st_.ram[reg + 1] < 0xC0 && st_.ram[reg + 1] != read_time(reg, t)) match = false;
        if (match) f |= C_AF;
      }
    }
  }
  st_.flags_checked = icount;
  st_.ram[REG_C] |= f;
}

void CmosRtc::update_irq() {
  uint8_t& c = st_.ram[REG_C];
  c = uint8_t((c & 0x70) | ((c & st_.ram[REG_B] & 0x70) ? C_IRQF : 0));  // IRQF = PF.PIE + AF.AIE + UF.UIE
  bool level = c & C_IRQF;
  if (level != st_.irq_level) {
    st_.irq_level = level;
    if (irq8_) irq8_(level);
  }
}

void CmosRtc::arm_timer() {
  uint8_t b = st_.ram[REG_B];
  if ((st_.ram[REG_C] & C_IRQF) || !(b & 0x70)) {  // IRQ 8 already high, or nothing enabled
    clock_.disarm(timer_);
    return;
  }
  uint64_t now = st_.flags_checked, best = Clock::kNever;
  if (uint64_t p = periodic_ticks(st_.ram[REG_A] & 15); p && (b & B_PIE))
    best = clock_.icount_at_tick((clock_.ticks(now, kRtcHz) / p + 1) * p, kRtcHz);
  if ((b & (B_UIE | B_AIE)) && !(b & B_SET))
    best = std::min(best, clock_.icount_at_tick(guest_seconds(now) + 1, 1));
  if (best == Clock::kNever) clock_.disarm(timer_);
  else clock_.arm(timer_, best);
}

uint8_t CmosRtc::read8(uint16_t port) {
  if (port == 0x70) return 0xFF;
  unsigned reg = st_.index;
  switch (reg) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case REG_CENTURY:
      return read_time(reg, rtc_seconds());
    case REG_A: {
      uint64_t ns = clock_.ns(clock_.now()) % 1'000'000'000;
      bool uip = !(st_.ram[REG_B] & B_SET) && ns >= 1'000'000'000 - kUipNs;
      return uint8_t((st_.ram[REG_A] & 0x7F) | (uip ? A_UIP : 0));
    }
    case REG_C: {
      refresh_flags(clock_.now());
      update_irq();
      uint8_t v = st_.ram[REG_C];
      st_.ram[REG_C] = 0;  // reading C clears every flag and releases IRQ 8
      update_irq();
      arm_timer();
      return v;
    }
    default: return st_.ram[reg];
  }
}

void CmosRtc::write8(uint16_t port, uint8_t v) {
  if (port == 0x70) {
    st_.index = v & 0x7F;
    st_.nmi_masked = v & 0x80;
    return;
  }
  unsigned reg = st_.index;
  switch (reg) {
    case 0: case 2: case 4: case 6: case 7: case 8: case 9: case REG_CENTURY:
      write_time(reg, v);
      break;
    case REG_A:
      refresh_flags(clock_.now());
      st_.ram[REG_A] = v & 0x7F;  // UIP is read-only
      break;
    case REG_B: {
      refresh_flags(clock_.now());
      uint8_t old = st_.ram[REG_B];
      if (v & B_SET) v &= uint8_t(~B_UIE);  // "UIE is cleared when SET is set"
      if ((v & B_SET) && !(old & B_SET)) st_.frozen = rtc_seconds();
      if (!(v & B_SET) && (old & B_SET)) st_.base = st_.frozen - int64_t(guest_seconds(clock_.now()));
      st_.ram[REG_B] = v;
      break;
    }
    case REG_C: case REG_D: return;  // read-only
    default: st_.ram[reg] = v; return;
  }
  update_irq();
  arm_timer();
}

void CmosRtc::serialize(Serializer& s) {
  s.tag("cmos-rtc");
  s.io(st_);
  if (s.loading()) st_.index &= 0x7F;
}

std::string CmosRtc::dump() const {
  DateTime t = to_datetime(rtc_seconds());
  return fmt::format(
      "cmos-rtc: {:04}-{:02}-{:02} {:02}:{:02}:{:02} (weekday {}) A {:02x} B {:02x} C {:02x} D {:02x} index {:#04x}{} "
      "IRQ8 {}\n",
      t.year, t.month, t.day, t.hour, t.minute, t.second, t.weekday, st_.ram[REG_A], st_.ram[REG_B],
      st_.ram[REG_C], st_.ram[REG_D], st_.index, st_.nmi_masked ? " NMI masked" : "", st_.irq_level ? "high" : "low");
}

}  // namespace slot::emu
