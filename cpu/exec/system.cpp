// System instructions: control/debug registers, MSRs, CPUID, RDTSC(P),
// descriptor-table loads and stores, segment loads, SYSCALL/SYSRET, SWAPGS,
// INVLPG/INVPCID, port I/O with the I/O permission bitmap.
#include "cpu/exec/common.h"
#include "cpu/cpuid.h"
#include "cpu/descriptor.h"

namespace slot::cpu {

void check_io(Cpu& c, uint16_t port, unsigned size) {
  if (!(c.s.cr0 & x86::CR0_PE) || c.s.cpl() <= ((c.s.rflags >> 12) & 3)) return;
  // TSS I/O map base at offset 102; every bit for the accessed ports must be 0.
  const Segment& tr = c.s.tr;
  if (tr.limit < 103) c.gp0();
  const uint32_t base = uint32_t(c.read_lin<2>(tr.base + 102, true));
  const uint32_t first = base + port / 8;
  if (first + 1 > tr.limit) c.gp0();
  const uint32_t bits = uint32_t(c.read_lin<2>(tr.base + first, true));
  if ((bits >> (port & 7)) & ((1u << size) - 1)) c.gp0();
}

template <unsigned W> void in_port(Cpu& c, const Insn& d) {
  constexpr unsigned n = W > 4 ? 4 : W;
  const uint16_t port = d.op ? uint16_t(c.s.gpr[RDX]) : uint16_t(d.imm);
  check_io(c, port, n);
  c.watch_io(port, n);
  ++c.count_ops().port_io;
  c.set_gpr<n>(RAX, c.platform.io_in(port, n));
}
template <unsigned W> void out_port(Cpu& c, const Insn& d) {
  constexpr unsigned n = W > 4 ? 4 : W;
  const uint16_t port = d.op ? uint16_t(c.s.gpr[RDX]) : uint16_t(d.imm);
  check_io(c, port, n);
  c.watch_io(port, n);
  ++c.count_ops().port_io;
  const uint32_t v = uint32_t(c.gpr<n>(RAX));
  if (c.observing()) c.emit(CpuEventKind::PortOut, port, v);
  c.platform.io_out(port, n, v);
}

// ---- control and debug registers ---------------------------------------
// A control or debug register that does not exist is #UD even at CPL > 0:
// the encoding is invalid before any privilege check (SDM Vol. 2B MOV CRn:
// "#UD If an attempt is made to access CR1, CR5, CR6, or CR7"; DR8-DR15
// likewise; the host CPU in the differential test agrees).
inline bool valid_cr(unsigned n) { return n == 0 || n == 2 || n == 3 || n == 4 || n == 8; }
template <unsigned W> void mov_RC(Cpu& c, const Insn& d) {
  if (!valid_cr(d.reg)) c.fault(x86::VEC_UD);
  c.require_cpl0();
  uint64_t v;
  switch (d.reg) {
    case 0: v = c.s.cr0; break;
    case 2: v = c.s.cr2; break;
    case 3: v = c.s.cr3; break;
    case 4: v = c.s.cr4; break;
    default: v = c.s.cr8; break;
  }
  c.set_gpr<W>(d.rm, v);
}
template <unsigned W> void mov_CR(Cpu& c, const Insn& d) {
  if (!valid_cr(d.reg)) c.fault(x86::VEC_UD);
  c.require_cpl0();
  c.write_cr(d.reg, c.gpr<W>(d.rm));
}
template <unsigned W> void mov_RD(Cpu& c, const Insn& d) {
  unsigned n = d.reg;
  if (n > 7) c.fault(x86::VEC_UD);
  c.require_cpl0();
  if (n == 4 || n == 5) { if (c.s.cr4 & x86::CR4_DE) c.fault(x86::VEC_UD); n += 2; }
  c.general_detect();
  c.set_gpr<W>(d.rm, c.s.dr[n]);
}
template <unsigned W> void mov_DR(Cpu& c, const Insn& d) {
  unsigned n = d.reg;
  if (n > 7) c.fault(x86::VEC_UD);
  c.require_cpl0();
  if (n == 4 || n == 5) { if (c.s.cr4 & x86::CR4_DE) c.fault(x86::VEC_UD); n += 2; }
  c.general_detect();
  const uint64_t v = c.gpr<W>(d.rm);
  if (n >= 6 && (v >> 32)) c.gp0();
  // In 64-bit mode DR0-DR3 hold any 64-bit value (SDM Vol. 2B MOV DRn);
  // DR6 and DR7 read back their fixed bits.
  c.s.dr[n] = n == 6 ? (v | 0xFFFF0FF0) : n == 7 ? ((v | 0x400) & ~0x1000ull) : v;
  if (n == 7) c.debug_regs_changed();
}
template <unsigned W> void clts(Cpu& c, const Insn&) {
  c.require_cpl0();
  c.s.cr0 &= ~x86::CR0_TS;
}
template <unsigned W> void wbinvd(Cpu& c, const Insn&) { c.require_cpl0(); }

// ---- MSRs, TSC, CPUID ---------------------------------------------------
template <unsigned W> void rdmsr(Cpu& c, const Insn&) {
  c.require_cpl0();
  const uint64_t v = c.read_msr(uint32_t(c.s.gpr[RCX]));
  c.set_gpr<4>(RAX, uint32_t(v));
  c.set_gpr<4>(RDX, v >> 32);
}
template <unsigned W> void wrmsr(Cpu& c, const Insn&) {
  c.require_cpl0();
  c.write_msr(uint32_t(c.s.gpr[RCX]), (c.s.gpr[RDX] << 32) | uint32_t(c.s.gpr[RAX]));
  ++c.count_ops().wrmsr;
}
template <unsigned W> void rdtsc(Cpu& c, const Insn&) {
  if ((c.s.cr4 & x86::CR4_TSD) && c.s.cpl() != 0) c.gp0();
  const uint64_t t = c.icount() + uint64_t(c.s.tsc_offset);
  c.set_gpr<4>(RAX, uint32_t(t));
  c.set_gpr<4>(RDX, t >> 32);
}
template <unsigned W> void rdtscp(Cpu& c, const Insn& d) {
  rdtsc<W>(c, d);
  c.set_gpr<4>(RCX, uint32_t(c.s.tsc_aux));
}
template <unsigned W> void cpuid(Cpu& c, const Insn&) {
  const uint32_t leaf = uint32_t(c.s.gpr[RAX]), subleaf = uint32_t(c.s.gpr[RCX]);
  CpuidResult r = cpuid_leaf(leaf, subleaf);
  // OSPKE (leaf 7 ECX bit 4) mirrors CR4.PKE (SDM Vol. 2A CPUID, Table 3-8).
  if (leaf == 7 && subleaf == 0 && (c.s.cr4 & x86::CR4_PKE)) r.ecx |= 1u << 4;
  c.set_gpr<4>(RAX, r.eax);
  c.set_gpr<4>(RBX, r.ebx);
  c.set_gpr<4>(RCX, r.ecx);
  c.set_gpr<4>(RDX, r.edx);
}

// ---- RDPKRU / WRPKRU (SDM Vol. 2B): #UD without CR4.PKE, #GP(0) unless ECX
// (and for WRPKRU EDX) is 0; any CPL. No TLB invalidation: the rights are
// checked at every access.
template <unsigned W> void rdpkru(Cpu& c, const Insn&) {
  if (!(c.s.cr4 & x86::CR4_PKE)) c.fault(x86::VEC_UD);
  if (uint32_t(c.s.gpr[RCX]) != 0) c.gp0();
  c.set_gpr<4>(RAX, c.s.pkru);
  c.set_gpr<4>(RDX, 0);
}
template <unsigned W> void wrpkru(Cpu& c, const Insn&) {
  if (!(c.s.cr4 & x86::CR4_PKE)) c.fault(x86::VEC_UD);
  if (uint32_t(c.s.gpr[RCX]) != 0 || uint32_t(c.s.gpr[RDX]) != 0) c.gp0();
  c.s.pkru = uint32_t(c.s.gpr[RAX]);
  c.mmu.write_pkeys(c.s.pkru, c.s.pkrs);
}

// ---- SYSCALL / SYSRET / SWAPGS (SDM Vol. 2B) ------------------------------
template <unsigned W> void syscall(Cpu& c, const Insn&) {
  if (!(c.s.efer & x86::EFER_SCE) || !c.mode64()) c.fault(x86::VEC_UD);
  const uint64_t fl = c.rflags();
  const unsigned old_cpl = c.s.cpl();
  c.s.gpr[RCX] = c.s.rip;
  c.s.gpr[R11] = fl & ~x86::FL_RF;
  c.set_rflags(fl & ~c.s.fmask & ~x86::FL_RF);
  const uint16_t sel = uint16_t((c.s.star >> 32) & 0xFFFC);
  c.set_seg_raw(CS, sel, 0, 0xFFFFFFFF, 0xA9B);       // 64-bit code, DPL 0, accessed
  c.set_seg_raw(SS, uint16_t(sel + 8), 0, 0xFFFFFFFF, 0xC93);
  c.s.rip = c.s.lstar;
  ++c.count_ops().syscall;
  if (old_cpl != 0) c.emit(CpuEventKind::CplChange, old_cpl, 0);
}
template <unsigned W> void sysret(Cpu& c, const Insn&) {
  if (!(c.s.efer & x86::EFER_SCE) || !c.mode64()) c.fault(x86::VEC_UD);
  c.require_cpl0();
  const uint16_t base = uint16_t((c.s.star >> 48) & 0xFFFF);
  if (W == 8) {
    // Intel raises #GP(0) in ring 0 for a non-canonical RCX (SDM Vol. 2B SYSRET).
    if (!canonical(c.s.gpr[RCX])) c.gp0();
    c.set_seg_raw(CS, uint16_t((base + 16) | 3), 0, 0xFFFFFFFF, 0xAFB);
    c.s.rip = c.s.gpr[RCX];
  } else {
    c.set_seg_raw(CS, uint16_t(base | 3), 0, 0xFFFFFFFF, 0xCFB);
    c.s.rip = uint32_t(c.s.gpr[RCX]);
  }
  c.set_rflags((c.s.gpr[R11] & 0x3C7FD7) | 2);
  if (c.s.rflags & x86::FL_RF) c.rf_loaded();
  c.set_seg_raw(SS, uint16_t((base + 8) | 3), 0, 0xFFFFFFFF, 0xCF3);
  ++c.count_ops().sysret;
  c.emit(CpuEventKind::CplChange, 0, 3);
  if (c.s.rflags & x86::FL_IF) c.note_smc();
}
// ---- SYSENTER / SYSEXIT (SDM Vol. 2B): flat segments derived from
// IA32_SYSENTER_CS; in IA-32e mode SYSENTER always lands in 64-bit code and
// SYSEXIT with REX.W returns to 64-bit code (CS + 32), without to 32-bit
// code (CS + 16). Intel semantics: both work in 64-bit mode.
template <unsigned W> void sysenter(Cpu& c, const Insn&) {
  if (!(c.s.cr0 & x86::CR0_PE) || !(c.s.sysenter_cs & 0xFFFC)) c.gp0();
  const unsigned old_cpl = c.s.cpl();
  const uint16_t sel = uint16_t(c.s.sysenter_cs & 0xFFFC);
  c.materialize();
  c.s.rflags &= ~(x86::FL_VM | x86::FL_IF | x86::FL_RF);
  const bool lma = c.long_mode();
  c.set_seg_raw(CS, sel, 0, 0xFFFFFFFF, lma ? 0xA9B : 0xC9B);
  c.set_seg_raw(SS, uint16_t(sel + 8), 0, 0xFFFFFFFF, 0xC93);
  c.s.gpr[RSP] = lma ? c.s.sysenter_esp : uint32_t(c.s.sysenter_esp);
  c.s.rip = lma ? c.s.sysenter_eip : uint32_t(c.s.sysenter_eip);
  if (old_cpl != 0) c.emit(CpuEventKind::CplChange, old_cpl, 0);
}
template <unsigned W> void sysexit(Cpu& c, const Insn&) {
  if (!(c.s.cr0 & x86::CR0_PE) || !(c.s.sysenter_cs & 0xFFFC)) c.gp0();
  c.require_cpl0();
  const bool to64 = W == 8;
  if (to64 && (!canonical(c.s.gpr[RCX]) || !canonical(c.s.gpr[RDX]))) c.gp0();
  const uint16_t sel = uint16_t(((c.s.sysenter_cs + (to64 ? 32 : 16)) | 3) & 0xFFFF);
  c.set_seg_raw(CS, sel, 0, 0xFFFFFFFF, to64 ? 0xAFB : 0xCFB);
  c.set_seg_raw(SS, uint16_t(sel + 8), 0, 0xFFFFFFFF, 0xCF3);
  c.s.gpr[RSP] = to64 ? c.s.gpr[RCX] : uint32_t(c.s.gpr[RCX]);
  c.s.rip = to64 ? c.s.gpr[RDX] : uint32_t(c.s.gpr[RDX]);
  c.emit(CpuEventKind::CplChange, 0, 3);
}

template <unsigned W> void swapgs(Cpu& c, const Insn&) {
  c.require_cpl0();
  std::swap(c.s.seg[GS].base, c.s.kernel_gs_base);
}
template <unsigned W> void clac_stac(Cpu& c, const Insn& d) {
  if (c.s.cpl() != 0) c.fault(x86::VEC_UD);  // SDM Vol. 2A CLAC/STAC: #UD if CPL > 0
  c.materialize();
  if (d.op) c.s.rflags |= x86::FL_AC;
  else c.s.rflags &= ~x86::FL_AC;
  c.end_run();
}

// ---- descriptor tables, segments ----------------------------------------
// UMIP (CR4 bit 11): SGDT, SIDT, SLDT, SMSW and STR at CPL > 0 raise #GP(0)
// (SDM Vol. 3A §2.5, and each instruction's protected-mode exceptions).
inline void check_umip(Cpu& c) {
  if ((c.s.cr4 & x86::CR4_UMIP) && c.s.cpl() > 0) c.gp0();
}

template <unsigned W> void grp6(Cpu& c, const Insn& d) {
  switch (d.op) {
    case 0: case 1: {  // SLDT, STR
      check_umip(c);
      const uint16_t sel = d.op ? c.s.tr.sel : c.s.ldtr.sel;
      if (d.mem()) c.write<2>(d.seg, c.ea(d), sel);
      else c.set_gpr<4>(d.rm, sel);
      return;
    }
    case 2: case 3: {  // LLDT, LTR
      if (!(c.s.cr0 & x86::CR0_PE)) c.fault(x86::VEC_UD);
      c.require_cpl0();
      const uint16_t sel = uint16_t(c.read_rm<2>(d));
      if ((sel & ~3u) == 0) {
        if (d.op == 3) c.gp0();
        c.s.ldtr = Segment{sel, 0, 0, 0};
        return;
      }
      if (sel & 4) c.fault(x86::VEC_GP, sel & 0xFFFC);
      bool ok;
      const SegDesc desc{c.read_descriptor(sel, ok)};
      if (!ok) c.fault(x86::VEC_GP, sel & 0xFFFC);
      const unsigned type = desc.type5();   // system descriptors: S = 0
      if (d.op == 2 ? type != systype::kLdt : (type != systype::kTssAvail && type != systype::kTss16Avail))
        c.fault(x86::VEC_GP, sel & 0xFFFC);
      if (!desc.present()) c.fault(x86::VEC_NP, sel & 0xFFFC);
      uint64_t base = desc.base();
      if (c.long_mode()) {
        // The 16-byte form: the upper half's type field must be 0 and the
        // base canonical, else #GP(selector) (SDM Vol. 2A LLDT/LTR, 64-bit
        // mode exceptions; Vol. 3A §8.2.3 figure 8-4).
        const uint64_t hi = c.read_lin<8>(c.s.gdtr.base + (sel & ~7u) + 8, true);
        base |= (hi & 0xFFFFFFFF) << 32;
        if (((hi >> 40) & 0x1F) != 0 || !canonical(base)) c.fault(x86::VEC_GP, sel & 0xFFFC);
      }
      const uint32_t limit = desc.limit();
      uint16_t at = desc.attr();
      if (d.op == 3) {  // mark the TSS busy: available (type 1/9) -> busy (3/B) is type bit 1
        c.write_lin<1>(c.s.gdtr.base + (sel & ~7u) + 5, (at & 0xFF) | 2, true);
        at |= 2;
        c.s.tr = Segment{sel, base, limit, at};
      } else {
        c.s.ldtr = Segment{sel, base, limit, at};
      }
      return;
    }
    default: c.fault(x86::VEC_UD);  // VERR/VERW: not emulated
  }
}

template <unsigned W> void grp7(Cpu& c, const Insn& d) {
  if ((d.mem() && d.op <= 1) || d.op == 4) check_umip(c);  // SGDT, SIDT, SMSW
  if (!d.mem()) {
    if (d.op == 4) { c.write_rm<W>(d, c.s.cr0 & mask<W>()); return; }  // SMSW r
    if (d.op != 6) c.fault(x86::VEC_UD);
  }
  const bool m64 = c.mode64();
  switch (d.op) {
    case 0: case 1: {  // SGDT, SIDT
      const TableReg& t = d.op ? c.s.idtr : c.s.gdtr;
      const uint64_t off = c.ea(d);
      c.check_writable(d.seg, off, m64 ? 10 : 6);
      c.write<2>(d.seg, off, t.limit);
      if (m64) c.write<8>(d.seg, off + 2, t.base);
      else c.write<4>(d.seg, off + 2, t.base);
      return;
    }
    case 2: case 3: {  // LGDT, LIDT
      c.require_cpl0();
      const uint64_t off = c.ea(d);
      const uint32_t limit = uint32_t(c.read<2>(d.seg, off));
      uint64_t base = m64 ? c.read<8>(d.seg, off + 2) : c.read<4>(d.seg, off + 2);
      if (!m64 && W == 2) base &= 0xFFFFFF;
      if (m64 && !canonical(base)) c.gp0();
      (d.op == 3 ? c.s.idtr : c.s.gdtr) = TableReg{base, limit};
      return;
    }
    case 4: c.write<2>(d.seg, c.ea(d), c.s.cr0 & 0xFFFF); return;  // SMSW m16
    case 6: {  // LMSW: sets PE MP EM TS, never clears PE
      c.require_cpl0();
      const uint64_t v = d.mem() ? c.read<2>(d.seg, c.ea(d)) : c.reg<2>(d.rm, false);
      c.write_cr(0, (c.s.cr0 & ~0xEull) | (v & 0xF) | (c.s.cr0 & 1));
      return;
    }
    case 7: {  // INVLPG
      c.require_cpl0();
      // A non-canonical address in 64-bit mode makes INVLPG a no-op, not #GP
      // (SDM Vol. 2A INVLPG: "implemented as a NOP").
      if (m64 && !canonical(c.ea(d) + ((d.seg == FS || d.seg == GS) ? c.s.seg[d.seg].base : 0))) return;
      const uint64_t la = c.linear(d.seg, c.ea(d), 1, mmu::Access::Read);
      c.mmu.invlpg(la);
      if (c.observing()) c.emit(CpuEventKind::Invlpg, la);
      return;
    }
    default: c.fault(x86::VEC_UD);
  }
}

template <unsigned W> void invpcid(Cpu& c, const Insn& d) {
  if (!d.mem()) c.fault(x86::VEC_UD);
  c.require_cpl0();
  const uint64_t type = c.mode64() ? c.s.gpr[d.reg] : uint32_t(c.s.gpr[d.reg]);
  const uint64_t off = c.ea(d);
  const uint64_t pcid = c.read<8>(d.seg, off), la = c.read<8>(d.seg, off + 8);
  if (type > 3 || (pcid >> 12)) c.gp0();
  if (type == 0 && !canonical(la)) c.gp0();
  if (!c.mmu.invpcid(unsigned(type), pcid, la)) c.gp0();
  if (c.observing()) c.emit(CpuEventKind::Invpcid, type, pcid);
}

template <unsigned W> void mov_ES(Cpu& c, const Insn& d) {
  if ((d.reg & 7) > 5) c.fault(x86::VEC_UD);
  const uint16_t sel = c.s.seg[d.reg & 7].sel;
  if (d.mem()) c.write<2>(d.seg, c.ea(d), sel);
  else c.set_reg<W>(d.rm, d.flags & IF_REX, sel);
}
template <unsigned W> void mov_SE(Cpu& c, const Insn& d) {
  const unsigned sr = d.reg & 7;
  if (sr > 5 || sr == CS) c.fault(x86::VEC_UD);
  c.load_seg(sr, uint16_t(c.read_rm<2>(d)));
  if (sr == SS) c.ss_loaded();
}
template <unsigned W> void load_far(Cpu& c, const Insn& d) {
  if (!d.mem()) c.fault(x86::VEC_UD);
  const uint64_t off = c.ea(d);
  const uint64_t v = c.read<W>(d.seg, off);
  c.load_seg(d.op, uint16_t(c.read<2>(d.seg, off + W)));
  c.write_greg<W>(d, v);
}

template <unsigned W> void grp15(Cpu& c, const Insn& d);

SLOT_INSTANTIATE(in_port)
SLOT_INSTANTIATE(out_port)
SLOT_INSTANTIATE(mov_RC)
SLOT_INSTANTIATE(mov_CR)
SLOT_INSTANTIATE(mov_RD)
SLOT_INSTANTIATE(mov_DR)
SLOT_INSTANTIATE(clts)
SLOT_INSTANTIATE(wbinvd)
SLOT_INSTANTIATE(rdmsr)
SLOT_INSTANTIATE(wrmsr)
SLOT_INSTANTIATE(rdtsc)
SLOT_INSTANTIATE(rdtscp)
SLOT_INSTANTIATE(cpuid)
SLOT_INSTANTIATE(rdpkru)
SLOT_INSTANTIATE(wrpkru)
SLOT_INSTANTIATE(syscall)
SLOT_INSTANTIATE(sysret)
SLOT_INSTANTIATE(sysenter)
SLOT_INSTANTIATE(sysexit)
SLOT_INSTANTIATE(swapgs)
SLOT_INSTANTIATE(clac_stac)
SLOT_INSTANTIATE(grp6)
SLOT_INSTANTIATE(grp7)
SLOT_INSTANTIATE(invpcid)
SLOT_INSTANTIATE(mov_ES)
SLOT_INSTANTIATE(mov_SE)
SLOT_INSTANTIATE(load_far)

}  // namespace slot::cpu
