// MOV to CR0/CR3/CR4/CR8 and the MSRs: validity checks, IA-32e activation,
// and handing the new paging state to the MMU (which applies the SDM's
// invalidation rules, Vol. 3A §4.10.4).
#include <algorithm>

#include "cpu/cpu.h"
#include "cpu/cpuid.h"

namespace slot::cpu {

namespace {
constexpr uint64_t kCr4Supported = x86::CR4_TSD | x86::CR4_DE | x86::CR4_PSE | x86::CR4_PAE | x86::CR4_MCE |
                                   x86::CR4_PGE | x86::CR4_PCE | x86::CR4_OSFXSR | x86::CR4_OSXMMEXCPT |
                                   x86::CR4_PCIDE | x86::CR4_SMEP | x86::CR4_SMAP | x86::CR4_UMIP |
                                   x86::CR4_PKE | x86::CR4_PKS;
constexpr uint64_t kPhysMask = (1ull << kPhysAddrBits) - 1;
}  // namespace

void Cpu::write_cr(unsigned n, uint64_t v) {
  switch (n) {
    case 0: {
      if (v >> 32) gp0();
      v |= x86::CR0_ET;
      if ((v & x86::CR0_PG) && !(v & x86::CR0_PE)) gp0();
      if ((v & x86::CR0_NW) && !(v & x86::CR0_CD)) gp0();
      const bool pg_on = (v & x86::CR0_PG) && !(s.cr0 & x86::CR0_PG);
      const bool pg_off = !(v & x86::CR0_PG) && (s.cr0 & x86::CR0_PG);
      if (pg_on && (s.efer & x86::EFER_LME)) {
        if (!(s.cr4 & x86::CR4_PAE) || s.seg[CS].l()) gp0();
      }
      if (pg_off && mode64()) gp0();
      if (pg_on && !(s.efer & x86::EFER_LME)) {
        unsupported("legacy 32-bit and PAE paging (CR0.PG=1 with EFER.LME=0)");
        return;
      }
      if (pg_off && (s.cr4 & x86::CR4_PCIDE)) gp0();
      s.cr0 = v;
      uint64_t efer = s.efer;
      if (pg_on && (efer & x86::EFER_LME)) efer |= x86::EFER_LMA;  // IA-32e activation (SDM Vol. 3A §9.8.5)
      if (pg_off) efer &= ~x86::EFER_LMA;
      if (efer != s.efer) { s.efer = efer; mmu.write_efer(efer); }
      mmu.write_cr0(v);
      return;
    }
    case 2: s.cr2 = v; return;
    case 3: {
      const bool pcide = s.cr4 & x86::CR4_PCIDE;
      const uint64_t stored = pcide ? (v & ~x86::CR3_NOFLUSH) : v;
      if (long_mode() && (stored & ~kPhysMask & ~0xFFFull)) gp0();
      const uint64_t old = s.cr3;
      s.cr3 = stored;
      mmu.write_cr3(v);
      if (obs_) emit(CpuEventKind::Cr3Write, old, stored);
      return;
    }
    case 4: {
      if (v & ~kCr4Supported) gp0();
      if (long_mode() && !(v & x86::CR4_PAE)) gp0();
      if ((v & x86::CR4_PCIDE) && !(s.cr4 & x86::CR4_PCIDE) && (!long_mode() || (s.cr3 & 0xFFF))) gp0();
      const uint64_t old = s.cr4;
      s.cr4 = v;
      mmu.write_cr4(v);
      if ((old ^ v) & x86::CR4_DE) debug_regs_changed();  // I/O breakpoints need DE
      if (obs_) emit(CpuEventKind::Cr4Write, old, v);
      return;
    }
    case 8:
      if (v >> 4) gp0();
      s.cr8 = v;
      return;
    default: fault(x86::VEC_UD);
  }
}

uint64_t Cpu::read_msr(uint32_t msr) {
  switch (msr) {
    case x86::MSR_TSC: return icount_ + uint64_t(s.tsc_offset);
    case x86::MSR_PAT: return s.pat;
    case x86::MSR_EFER: return s.efer;
    case x86::MSR_STAR: return s.star;
    case x86::MSR_LSTAR: return s.lstar;
    case x86::MSR_CSTAR: return s.cstar;
    case x86::MSR_FMASK: return s.fmask;
    case x86::MSR_FS_BASE: return s.seg[FS].base;
    case x86::MSR_GS_BASE: return s.seg[GS].base;
    case x86::MSR_KERNEL_GS_BASE: return s.kernel_gs_base;
    case x86::MSR_TSC_AUX: return s.tsc_aux;
    case x86::MSR_PKRS: return s.pkrs;
    case x86::MSR_TSC_DEADLINE: {
      // The platform's timer counts instructions; the MSR is in TSC units.
      uint64_t at = 0;
      if (!platform.msr_read(msr, at)) gp0();
      return at ? at + uint64_t(s.tsc_offset) : 0;
    }
    default: {
      uint64_t v = 0;
      if (!read_model_msr(msr, v) && !platform.msr_read(msr, v)) gp0();
      return v;
    }
  }
}

void Cpu::write_msr(uint32_t msr, uint64_t v) {
  auto need_canonical = [&] { if (!canonical(v)) gp0(); };
  switch (msr) {
    case x86::MSR_TSC: {
      // A write to the TSC moves IA32_TSC_ADJUST by the same amount (SDM Vol. 3B §17.17.3).
      const int64_t delta = int64_t(v - (icount_ + uint64_t(s.tsc_offset)));
      s.tsc_offset += delta;
      s.tsc_adjust += delta;
      return;
    }
    case x86::MSR_PAT: s.pat = v; return;
    case x86::MSR_EFER: {
      const uint64_t writable = x86::EFER_SCE | x86::EFER_LME | x86::EFER_NXE;
      if (v & ~(writable | x86::EFER_LMA)) gp0();
      if ((s.cr0 & x86::CR0_PG) && ((v ^ s.efer) & x86::EFER_LME)) gp0();
      s.efer = (s.efer & x86::EFER_LMA) | (v & writable);
      mmu.write_efer(s.efer);
      return;
    }
    case x86::MSR_STAR: s.star = v; return;
    case x86::MSR_LSTAR: need_canonical(); s.lstar = v; return;
    case x86::MSR_CSTAR: need_canonical(); s.cstar = v; return;
    case x86::MSR_FMASK: s.fmask = uint32_t(v); return;
    case x86::MSR_FS_BASE: need_canonical(); s.seg[FS].base = v; return;
    case x86::MSR_GS_BASE: need_canonical(); s.seg[GS].base = v; return;
    case x86::MSR_KERNEL_GS_BASE: need_canonical(); s.kernel_gs_base = v; return;
    case x86::MSR_TSC_AUX: s.tsc_aux = uint32_t(v); return;
    case x86::MSR_PKRS:  // bits 63:32 reserved (SDM Vol. 4, IA32_PKRS)
      if (v >> 32) gp0();
      s.pkrs = uint32_t(v);
      mmu.write_pkeys(s.pkru, s.pkrs);
      return;
    case x86::MSR_TSC_DEADLINE:
      // 0 disarms; a deadline already passed fires at once (SDM Vol. 3A §10.5.4.1).
      if (!platform.msr_write(msr, v == 0 ? 0 : std::max<uint64_t>(v - uint64_t(s.tsc_offset), 1))) gp0();
      return;
    default:
      if (!write_model_msr(msr, v) && !platform.msr_write(msr, v)) gp0();
      return;
  }
}

}  // namespace slot::cpu
