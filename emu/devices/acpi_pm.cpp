#include "emu/devices/acpi_pm.h"

#include <fmt/format.h>

namespace slot::emu {

namespace {
constexpr uint16_t kSciEn = 1u << 0, kSlpEn = 1u << 13;
constexpr uint8_t kAcpiEnable = 0xF1, kAcpiDisable = 0xF0;
}  // namespace

uint8_t AcpiPm::reg8(uint16_t port) const {
  if (port >= kBase + 8 && port < kBase + 12) {
    const uint32_t t = uint32_t(clock_.ticks(clock_.now(), kTimerHz)) & 0xFFFFFF;
    return uint8_t(t >> (8 * (port - kBase - 8)));
  }
  switch (port) {
    case kBase + 0: return uint8_t(st_.pm1_sts);
    case kBase + 1: return uint8_t(st_.pm1_sts >> 8);
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
      case kBase + 0: st_.pm1_sts &= uint16_t(~b); break;  // write 1 to clear
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
}

std::string AcpiPm::dump() const {
  return fmt::format("acpi-pm: pm1 sts={:#06x} en={:#06x} cnt={:#06x} timer={:#08x}\n", st_.pm1_sts, st_.pm1_en,
                     st_.pm1_cnt, uint32_t(clock_.ticks(clock_.now(), kTimerHz)) & 0xFFFFFF);
}

}  // namespace slot::emu
