// The model-specific registers kernels touch while booting, beyond the
// architectural core of control_regs.cpp: SYSENTER_CS/ESP/EIP, MISC_ENABLE,
// the machine-check globals (no banks), PLATFORM_ID, BIOS_SIGN_ID, the MTRRs
// and TSC_ADJUST. Returns false for an MSR this file does not hold.
#include "cpu/cpu.h"
#include "cpu/cpuid.h"

namespace slot::cpu {

namespace {
// MTRR memory types: UC, WC, WT, WP, WB (SDM Vol. 3A Table 11-8); 2, 3 and
// 7 and above are reserved (#GP).
bool valid_type(uint64_t t) { return t == 0 || t == 1 || t == 4 || t == 5 || t == 6; }
int fixed_index(uint32_t msr) {
  if (msr == 0x250) return 0;
  if (msr == 0x258 || msr == 0x259) return int(msr - 0x258 + 1);
  if (msr >= 0x268 && msr <= 0x26F) return int(msr - 0x268 + 3);
  return -1;
}
constexpr uint64_t kPhysMask = ((1ull << kPhysAddrBits) - 1) & ~0xFFFull;
}  // namespace

bool Cpu::read_model_msr(uint32_t msr, uint64_t& v) const {
  switch (msr) {
    case x86::MSR_SYSENTER_CS: v = s.sysenter_cs; return true;
    case x86::MSR_SYSENTER_ESP: v = s.sysenter_esp; return true;
    case x86::MSR_SYSENTER_EIP: v = s.sysenter_eip; return true;
    case x86::MSR_MISC_ENABLE: v = s.misc_enable; return true;
    case x86::MSR_MCG_CAP: v = 0; return true;     // no machine-check banks
    case x86::MSR_MCG_STATUS: v = 0; return true;
    case x86::MSR_PLATFORM_ID: v = 0; return true;
    case x86::MSR_BIOS_SIGN_ID: v = 1ull << 32; return true;  // microcode revision 1
    case x86::MSR_MTRRCAP: v = 0x508; return true;  // 8 variable ranges, fixed ranges, WC (QEMU's)
    case x86::MSR_MTRR_DEF_TYPE: v = s.mtrr_def_type; return true;
    case x86::MSR_TSC_ADJUST: v = uint64_t(s.tsc_adjust); return true;
    default: break;
  }
  if (const int i = fixed_index(msr); i >= 0) return v = s.mtrr_fixed[i], true;
  if (msr >= x86::MSR_MTRR_PHYS_FIRST && msr < x86::MSR_MTRR_PHYS_FIRST + 16)
    return v = s.mtrr_var[msr - x86::MSR_MTRR_PHYS_FIRST], true;
  return false;
}

bool Cpu::write_model_msr(uint32_t msr, uint64_t v) {
  switch (msr) {
    case x86::MSR_SYSENTER_CS: s.sysenter_cs = v & 0xFFFF; return true;
    case x86::MSR_SYSENTER_ESP:
    case x86::MSR_SYSENTER_EIP:
      if (!canonical(v)) gp0();  // SDM Vol. 4: a non-canonical address #GPs
      (msr == x86::MSR_SYSENTER_ESP ? s.sysenter_esp : s.sysenter_eip) = v;
      return true;
    case x86::MSR_MISC_ENABLE: s.misc_enable = v; return true;
    case x86::MSR_MCG_STATUS:
      if (v) gp0();  // SDM Vol. 3B §15.3.1.2: only 0 may be written
      return true;
    case x86::MSR_MCG_CAP: case x86::MSR_PLATFORM_ID: case x86::MSR_MTRRCAP: gp0();
    case x86::MSR_BIOS_SIGN_ID: return true;  // written before CPUID to learn the revision; it stays 1
    case x86::MSR_MTRR_DEF_TYPE:
      // Type, FE (bit 10), E (bit 11); everything else reserved (§11.11.2.1).
      if ((v & ~0xCFFull) || !valid_type(v & 0xFF)) gp0();
      s.mtrr_def_type = v;
      return true;
    case x86::MSR_TSC_ADJUST:
      // Writing TSC_ADJUST moves the TSC by the difference (SDM Vol. 3B §17.17.3).
      s.tsc_offset += int64_t(v) - s.tsc_adjust;
      s.tsc_adjust = int64_t(v);
      return true;
    default: break;
  }
  if (const int i = fixed_index(msr); i >= 0) {
    for (unsigned b = 0; b < 8; ++b)
      if (!valid_type((v >> (8 * b)) & 0xFF)) gp0();
    s.mtrr_fixed[i] = v;
    return true;
  }
  if (msr >= x86::MSR_MTRR_PHYS_FIRST && msr < x86::MSR_MTRR_PHYS_FIRST + 16) {
    const bool is_mask = msr & 1;
    // PHYSBASE: type and base; PHYSMASK: valid (bit 11) and mask (§11.11.2.3).
    const uint64_t allowed = kPhysMask | (is_mask ? 0x800 : 0xFF);
    if ((v & ~allowed) || (!is_mask && !valid_type(v & 0xFF))) gp0();
    s.mtrr_var[msr - x86::MSR_MTRR_PHYS_FIRST] = v;
    return true;
  }
  return false;
}

}  // namespace slot::cpu
