#include "emu/devices/acpi_pm.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
constexpr uint16_t kSciEn = 1u << 0, kSlpEn = 1u << 13;
constexpr uint16_t kTmrSts = 1u << 0;  // PM1_STS and PM1_EN bit 0: the timer's bit 23 toggled
constexpr uint16_t kFixedEvents = 0x0721;  // TMR, GBL, PWRBTN, SLPBTN, RTC: the enables PM1_EN has
constexpr uint8_t kAcpiEnable = 0xF1, kAcpiDisable = 0xF0;
constexpr unsigned kTmrBit = 23;
}  // namespace

AcpiPm::AcpiPm(Clock& clock, IrqLine sci, std::function<void()> power_off)
    : clock_(clock), sci_(std::move(sci)), power_off_(std::move(power_off)) {
  timer_ = clock_.add_timer("acpi-pm", [this](uint64_t) { update_sci(); });
}

void AcpiPm::reset() {
  const bool was = st_.sci_level;
  st_ = {};
  st_.tmr_cleared = timer_ticks();
  clock_.disarm(timer_);
  if (was && sci_) sci_(false);
}

uint16_t AcpiPm::pm1_status() const {
  const bool toggled = (timer_ticks() >> kTmrBit) != (st_.tmr_cleared >> kTmrBit);
  return uint16_t(st_.pm1_sts | (toggled ? kTmrSts : 0));
}

void AcpiPm::update_sci() {
  const uint16_t sts = pm1_status();
  const bool event = (sts & st_.pm1_en & kFixedEvents) || (st_.gpe_sts[0] & st_.gpe_en[0]) ||
                     (st_.gpe_sts[1] & st_.gpe_en[1]);
  const bool level = (st_.pm1_cnt & kSciEn) && event;
  if (level != st_.sci_level) {
    st_.sci_level = level ? 1 : 0;
    if (sci_) sci_(level);
  }
  // The next toggle of bit 23 raises TMR_STS: a deadline only when it would raise the SCI.
  if ((st_.pm1_en & kTmrSts) && (st_.pm1_cnt & kSciEn) && !(sts & kTmrSts)) {
    const uint64_t tick = ((st_.tmr_cleared >> kTmrBit) + 1) << kTmrBit;
    clock_.arm(timer_, clock_.icount_at_tick(tick, kTimerHz));
  } else {
    clock_.disarm(timer_);
  }
}

uint8_t AcpiPm::reg8(uint16_t port) const {
  if (port >= kBase + 8 && port < kBase + 12) {
    const uint32_t t = uint32_t(timer_ticks()) & 0xFFFFFF;
    return uint8_t(t >> (8 * (port - kBase - 8)));
  }
  switch (port) {
    case kBase + 0: return uint8_t(pm1_status());
    case kBase + 1: return uint8_t(pm1_status() >> 8);
    case kBase + 2: return uint8_t(st_.pm1_en);
    case kBase + 3: return uint8_t(st_.pm1_en >> 8);
    case kBase + 4: return uint8_t(st_.pm1_cnt);
    case kBase + 5: return uint8_t(st_.pm1_cnt >> 8);
    case kGpe0 + 0: case kGpe0 + 1: return st_.gpe_sts[port - kGpe0];
    case kGpe0 + 2: case kGpe0 + 3: return st_.gpe_en[port - kGpe0 - 2];
    case kSmiCmd: return st_.apm_cnt;
    case kSmiCmd + 1: return st_.apm_sts;
    default: return 0xFF;
  }
}

uint32_t AcpiPm::io_read(uint16_t port, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) v |= uint32_t(reg8(uint16_t(port + i))) << (8 * i);
  return v;
}

void AcpiPm::io_write(uint16_t port, unsigned size, uint32_t value) {
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = uint16_t(port + i);
    const uint8_t b = uint8_t(value >> (8 * i));
    switch (p) {
      case kBase + 0:  // write 1 to clear
        if (b & kTmrSts) st_.tmr_cleared = timer_ticks();
        st_.pm1_sts &= uint16_t(~b);
        break;
      case kBase + 1: st_.pm1_sts &= uint16_t(~(b << 8)); break;
      case kBase + 2: st_.pm1_en = uint16_t((st_.pm1_en & 0xFF00) | b); break;
      case kBase + 3: st_.pm1_en = uint16_t((st_.pm1_en & 0x00FF) | b << 8); break;
      case kBase + 4: st_.pm1_cnt = uint16_t((st_.pm1_cnt & 0xFF00) | b); break;
      case kBase + 5: {
        const uint16_t v = uint16_t((st_.pm1_cnt & 0x00FF) | b << 8);
        st_.pm1_cnt = uint16_t(v & ~kSlpEn);  // SLP_EN reads 0
        if ((v & kSlpEn) && ((v >> 10) & 7) == 0) power_off_();  // S5
        break;
      }
      case kGpe0 + 0: case kGpe0 + 1: st_.gpe_sts[p - kGpe0] &= uint8_t(~b); break;
      case kGpe0 + 2: case kGpe0 + 3: st_.gpe_en[p - kGpe0 - 2] = b; break;
      case kSmiCmd:
        st_.apm_cnt = b;
        if (b == kAcpiEnable) st_.pm1_cnt |= kSciEn;
        if (b == kAcpiDisable) st_.pm1_cnt &= uint16_t(~kSciEn);
        break;
      case kSmiCmd + 1: st_.apm_sts = b; break;
      default: break;
    }
  }
  update_sci();
}

std::string AcpiPm::dump() const {
  return fmt::format("acpi-pm: pm1 sts={:#06x} en={:#06x} cnt={:#06x} timer={:#08x} sci={}\n", pm1_status(),
                     st_.pm1_en, st_.pm1_cnt, uint32_t(timer_ticks()) & 0xFFFFFF, st_.sci_level ? "high" : "low");
}

}  // namespace slot::emu
