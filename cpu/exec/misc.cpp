// #UD for unsupported encodings, and the #NM/#UD checks of x87, MMX and SSE
// instructions, which are decoded but not emulated (docs/cpu.md).
#include "cpu/exec/common.h"

namespace slot::cpu {

template <unsigned W> void ud(Cpu& c, const Insn&) { c.fault(x86::VEC_UD); }

// x87 (D8-DF): #NM if CR0.EM or CR0.TS (SDM Vol. 3A §2.5, table 2-2).
template <unsigned W> void fpu(Cpu& c, const Insn&) {
  if (c.s.cr0 & (x86::CR0_EM | x86::CR0_TS)) c.fault(x86::VEC_NM);
  c.fault(x86::VEC_UD);
}
// WAIT/FWAIT: #NM if CR0.MP and CR0.TS; otherwise no pending x87 exception.
template <unsigned W> void fwait(Cpu& c, const Insn&) {
  if ((c.s.cr0 & x86::CR0_MP) && (c.s.cr0 & x86::CR0_TS)) c.fault(x86::VEC_NM);
}
// SSE/MMX: #UD if CR0.EM, #UD if CR4.OSFXSR clear, then #NM if CR0.TS
// (SDM Vol. 1 §13.1 / Vol. 3A table 2-2 order).
template <unsigned W> void sse(Cpu& c, const Insn&) {
  if (c.s.cr0 & x86::CR0_EM) c.fault(x86::VEC_UD);
  if (!(c.s.cr4 & x86::CR4_OSFXSR)) c.fault(x86::VEC_UD);
  if (c.s.cr0 & x86::CR0_TS) c.fault(x86::VEC_NM);
  c.fault(x86::VEC_UD);
}

// 0F AE: fences and CLFLUSH execute (as no-ops on a coherent single CPU);
// FXSAVE/FXRSTOR/LDMXCSR/STMXCSR/XSAVE* take the SSE path.
template <unsigned W> void grp15(Cpu& c, const Insn& d) {
  if (!d.mem()) {
    if (d.op >= 5 && !(d.flags & (IF_REP | IF_REPNE))) return;  // LFENCE MFENCE SFENCE
    c.fault(x86::VEC_UD);
  }
  if (d.op == 7) { c.read<1>(d.seg, c.ea(d)); return; }  // CLFLUSH: faults like a byte load
  sse<W>(c, d);
}

// 0F 0D (PREFETCH/PREFETCHW m8): a hint with no architectural effect, but
// only a memory operand encodes it; mod=11 is #UD (SDM Vol. 2B PREFETCHW
// takes m8 only; QEMU and the host CPU of the differential test agree).
template <unsigned W> void prefetch(Cpu& c, const Insn& d) {
  if (!d.mem()) c.fault(x86::VEC_UD);
}

SLOT_INSTANTIATE(ud)
SLOT_INSTANTIATE(prefetch)
SLOT_INSTANTIATE(fpu)
SLOT_INSTANTIATE(fwait)
SLOT_INSTANTIATE(sse)
SLOT_INSTANTIATE(grp15)

}  // namespace slot::cpu
