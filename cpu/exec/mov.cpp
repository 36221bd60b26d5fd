// Data movement: MOV (all forms), MOVZX/MOVSX/MOVSXD, LEA, XCHG, CBW..CQO,
// XLAT, LAHF/SAHF, PUSHF/POPF, flag instructions, NOPs.
#include "cpu/exec/common.h"

namespace slot::cpu {

template <unsigned W> void mov_EG(Cpu& c, const Insn& d) { c.write_rm<W>(d, c.read_greg<W>(d)); }
template <unsigned W> void mov_GE(Cpu& c, const Insn& d) { c.write_greg<W>(d, c.read_rm<W>(d)); }
template <unsigned W> void mov_EI(Cpu& c, const Insn& d) { c.write_rm<W>(d, d.imm); }
template <unsigned W> void mov_RI(Cpu& c, const Insn& d) { c.set_reg<W>(d.reg, d.flags & IF_REX, d.imm); }
template <unsigned W> void mov_AO(Cpu& c, const Insn& d) { c.set_gpr<W>(RAX, c.read<W>(d.seg, d.imm)); }
template <unsigned W> void mov_OA(Cpu& c, const Insn& d) { c.write<W>(d.seg, d.imm, c.gpr<W>(RAX)); }

// op = 1: byte source, 2: word source.
template <unsigned W> void movzx(Cpu& c, const Insn& d) {
  c.write_greg<W>(d, d.op == 1 ? c.read_rm<1>(d) : c.read_rm<2>(d));
}
template <unsigned W> void movsx(Cpu& c, const Insn& d) {
  c.write_greg<W>(d, d.op == 1 ? sx<1>(c.read_rm<1>(d)) : sx<2>(c.read_rm<2>(d)));
}
template <unsigned W> void movsxd(Cpu& c, const Insn& d) { c.write_greg<W>(d, sx<4>(c.read_rm<4>(d))); }

template <unsigned W> void lea(Cpu& c, const Insn& d) {
  if (!d.mem()) c.fault(x86::VEC_UD);
  c.write_greg<W>(d, c.ea(d));
}

template <unsigned W> void xchg_EG(Cpu& c, const Insn& d) {
  const uint64_t r = c.read_greg<W>(d);
  uint64_t old = 0;
  c.rmw<W>(d, [&](uint64_t a) { old = a; return r; });
  c.write_greg<W>(d, old);
}
// 90+r. Plain 90 (no REX.B) is NOP even with a 32-bit operand: no zero-extension.
template <unsigned W> void xchg_AR(Cpu& c, const Insn& d) {
  if (d.reg == 0) return;
  const uint64_t a = c.gpr<W>(RAX), b = c.gpr<W>(d.reg);
  c.set_gpr<W>(RAX, b);
  c.set_gpr<W>(d.reg, a);
}

template <unsigned W> void cvt_a(Cpu& c, const Insn&) {  // CBW / CWDE / CDQE
  if constexpr (W == 2) c.set_gpr<2>(RAX, sx<1>(c.s.gpr[RAX] & 0xFF));
  else if constexpr (W == 4) c.set_gpr<4>(RAX, sx<2>(c.s.gpr[RAX] & 0xFFFF));
  else c.s.gpr[RAX] = sx<4>(c.s.gpr[RAX] & 0xFFFFFFFF);
}
template <unsigned W> void cvt_d(Cpu& c, const Insn&) {  // CWD / CDQ / CQO
  c.set_gpr<W>(RDX, (c.gpr<W>(RAX) & sign<W>()) ? ~0ull : 0);
}

template <unsigned W> void xlat(Cpu& c, const Insn& d) {
  uint64_t off = c.s.gpr[RBX] + (c.s.gpr[RAX] & 0xFF);
  off = d.asz == 8 ? off : d.asz == 4 ? uint32_t(off) : uint16_t(off);
  c.set_gpr<1>(RAX, c.read<1>(d.seg, off));
}

// LAHF/SAHF in 64-bit mode need CPUID.80000001H:ECX[0], which we advertise.
template <unsigned W> void lahf(Cpu& c, const Insn&) {
  c.s.gpr[RAX] = (c.s.gpr[RAX] & ~0xFF00ull) | ((c.rflags() & 0xFF) << 8);
}
template <unsigned W> void sahf(Cpu& c, const Insn&) {
  const uint64_t m = x86::FL_SF | x86::FL_ZF | x86::FL_AF | x86::FL_PF | x86::FL_CF;
  c.set_status(m, (c.s.gpr[RAX] >> 8) & m);
}

template <unsigned W> void pushf(Cpu& c, const Insn&) {
  c.push<W>(c.rflags() & 0x00FCFFFF);  // VM and RF are pushed as 0
}
// POPF: SDM Vol. 2B POPF table. IOPL changes only at CPL 0, IF only when
// CPL <= IOPL; VM, VIP, VIF are never changed here (no V86).
template <unsigned W> void popf(Cpu& c, const Insn&) {
  const uint64_t v = c.pop<W>();
  uint64_t modifiable = kStatusFlags | x86::FL_TF | x86::FL_DF | x86::FL_NT | x86::FL_AC | x86::FL_ID;
  const unsigned cpl = c.s.cpl(), iopl = (c.s.rflags >> 12) & 3;
  if (cpl == 0) modifiable |= x86::FL_IOPL;
  if (cpl <= iopl) modifiable |= x86::FL_IF;
  if (W == 2) modifiable &= 0xFFFF;
  const uint64_t cur = c.rflags();
  c.set_rflags(((cur & ~modifiable) | (v & modifiable)) & ~x86::FL_RF);
  if (c.s.rflags & x86::FL_IF) c.note_smc();  // re-check pending interrupts
}

// CMC CLC STC CLI STI CLD STD (op 0..6).
template <unsigned W> void flagop(Cpu& c, const Insn& d) {
  switch (d.op) {
    case 0: c.set_status(x86::FL_CF, c.cf() ? 0 : x86::FL_CF); break;
    case 1: c.set_status(x86::FL_CF, 0); break;
    case 2: c.set_status(x86::FL_CF, x86::FL_CF); break;
    case 3: case 4: {
      // CLI/STI need CPL <= IOPL (no VME/PVI: SDM Vol. 2A CLI).
      if (c.s.cpl() > ((c.s.rflags >> 12) & 3)) c.gp0();
      if (d.op == 3) { c.s.rflags &= ~x86::FL_IF; break; }
      if (!(c.s.rflags & x86::FL_IF)) c.interrupt_shadow();  // STI shadow: one instruction
      c.s.rflags |= x86::FL_IF;
      c.note_smc();
      break;
    }
    case 5: c.s.rflags &= ~x86::FL_DF; break;
    default: c.s.rflags |= x86::FL_DF; break;
  }
}

template <unsigned W> void nop(Cpu&, const Insn&) {}

SLOT_INSTANTIATE(mov_EG)
SLOT_INSTANTIATE(mov_GE)
SLOT_INSTANTIATE(mov_EI)
SLOT_INSTANTIATE(mov_RI)
SLOT_INSTANTIATE(mov_AO)
SLOT_INSTANTIATE(mov_OA)
SLOT_INSTANTIATE(movzx)
SLOT_INSTANTIATE(movsx)
SLOT_INSTANTIATE(movsxd)
SLOT_INSTANTIATE(lea)
SLOT_INSTANTIATE(xchg_EG)
SLOT_INSTANTIATE(xchg_AR)
SLOT_INSTANTIATE(cvt_a)
SLOT_INSTANTIATE(cvt_d)
SLOT_INSTANTIATE(xlat)
SLOT_INSTANTIATE(lahf)
SLOT_INSTANTIATE(sahf)
SLOT_INSTANTIATE(pushf)
SLOT_INSTANTIATE(popf)
SLOT_INSTANTIATE(flagop)
SLOT_INSTANTIATE(nop)


// Decode-time specialisation (issue 18): MOV and LEA forms.
namespace {
template <unsigned W> void mov_EG_r(Cpu& c, const Insn& d) { c.set_gpr<W>(d.rm, c.s.gpr[d.reg]); }
template <unsigned W> void mov_GE_r(Cpu& c, const Insn& d) { c.set_gpr<W>(d.reg, c.s.gpr[d.rm]); }
// The offset base + disp (I = false) or base + index * scale + disp (I =
// true) of 64-bit addressing with a general-register base (no RIP, no
// address-size truncation), without the general EA's tests.
template <bool I> uint64_t offset_b(const Cpu& c, const Insn& d) {
  uint64_t off = c.s.gpr[d.base] + uint64_t(int64_t(d.disp));
  if constexpr (I) off += c.s.gpr[d.index] << d.scale;
  return off;
}
template <unsigned W> void lea_b(Cpu& c, const Insn& d) { c.set_gpr<W>(d.reg, offset_b<false>(c, d)); }
template <unsigned W> void lea_bi(Cpu& c, const Insn& d) { c.set_gpr<W>(d.reg, offset_b<true>(c, d)); }
template <unsigned W> Spec specialise_lea(const Insn& d) {
  if (d.asz != 8 || d.base >= 16) return {};  // RIP_REG or NO_REG
  return d.index == NO_REG ? chained<&lea_b<W>>() : chained<&lea_bi<W>>();
}
// MOV between a register and memory at such an offset, then Cpu::load_greg
// (Cpu::read into the register) and Cpu::write as the general form.
template <unsigned W, bool I> void mov_GE_m(Cpu& c, const Insn& d) {
  c.load_greg<W>(d, offset_b<I>(c, d));
}
template <unsigned W, bool I> void mov_EG_m(Cpu& c, const Insn& d) {
  c.write<W>(d.seg, offset_b<I>(c, d), c.gpr<W>(d.reg));
}
// The same in chaining form (exec/common.h), given its count (a fast-path
// hit charges the run's fetches up to it: Cpu::chain_count); the common
// case goes on down the chain, anything else -- a miss, a fault, a store to
// a watched or code page -- takes its slow half with count and RIP stored
// and ends the chain, run (decoded.h ChainEnd): that half may have raised
// attention. (The slow halves are calls of their own: with a third way to
// return, GCC made no tail calls.)
// B: the segment is FS or GS, whose base 64-bit mode adds (SDM Vol. 1
// §3.3.7.1); if not, the fast half is given DS, for which it adds nothing
// and tests nothing (the slow half, which checks everything, gets d.seg).
template <bool B> unsigned fast_seg(const Insn& d) { return B ? d.seg : unsigned(DS); }
template <unsigned W> [[gnu::noinline]] ChainEnd load_chain_slow(Cpu& c, const Insn* d, uint64_t more, uint64_t off) {
  c.chain_slow(*d, c.chain_count(more));
  c.load_greg_slow<W>(*d, off);
  return {d, more | kChainRan};
}
template <unsigned W, bool I, bool B> ChainEnd mov_GE_m_chain(Cpu& c, const Insn* d, uint64_t more) {
  const uint64_t now = c.chain_count(more), off = offset_b<I>(c, *d);
  mmu::PhysAddr pa;
  if (c.data_fast<W, mmu::Access::Read>(fast_seg<B>(*d), off, pa, &now) != Cpu::Fast::Ram) [[unlikely]]
    return load_chain_slow<W>(c, d, more, off);
  c.set_gpr<W>(d->reg, c.ram_load<W>(pa));
  const Insn* n = d->next;
  if (more && n->chain) return n->chain(c, n, more - 1);
  return {d, more | kChainRan};
}
template <unsigned W> [[gnu::noinline]] ChainEnd store_chain_slow(Cpu& c, const Insn* d, uint64_t more, uint64_t off,
                                                                 Cpu::Fast f, mmu::PhysAddr pa) {
  c.chain_slow(*d, c.chain_count(more));
  if (f == Cpu::Fast::Phys) c.write_phys<W>(pa, c.gpr<W>(d->reg));
  else c.write_slow<W>(d->seg, off, c.gpr<W>(d->reg));
  return {d, more | kChainRan};
}
template <unsigned W, bool I, bool B> ChainEnd mov_EG_m_chain(Cpu& c, const Insn* d, uint64_t more) {
  const uint64_t now = c.chain_count(more), off = offset_b<I>(c, *d);
  mmu::PhysAddr pa = 0;  // (set unless a miss)
  const Cpu::Fast f = c.data_fast<W, mmu::Access::Write>(fast_seg<B>(*d), off, pa, &now);
  if (f != Cpu::Fast::Ram) [[unlikely]] return store_chain_slow<W>(c, d, more, off, f, pa);
  const uint64_t v = c.gpr<W>(d->reg);
  std::memcpy(c.mem.ram_at(pa), &v, W);
  const Insn* n = d->next;
  if (more && n->chain) return n->chain(c, n, more - 1);
  return {d, more | kChainRan};
}
template <unsigned W, bool I, bool B> Spec mov_m_form(const Insn& d) {
  if (d.fn == &mov_GE<W>) return {&mov_GE_m<W, I>, &mov_GE_m_chain<W, I, B>};
  if (d.fn == &mov_EG<W>) return {&mov_EG_m<W, I>, &mov_EG_m_chain<W, I, B>};
  return {};
}
template <unsigned W> Spec specialise_mov_m(const Insn& d) {
  if (d.asz != 8 || d.base >= 16) return {};
  const bool i = d.index != NO_REG, b = d.seg == FS || d.seg == GS;
  return i ? (b ? mov_m_form<W, true, true>(d) : mov_m_form<W, true, false>(d))
           : (b ? mov_m_form<W, false, true>(d) : mov_m_form<W, false, false>(d));
}
}  // namespace

Spec specialise_mov(const Insn& d) {
  if (d.mem() && d.fn == &lea<8>) return specialise_lea<8>(d);
  if (d.mem() && d.fn == &lea<4>) return specialise_lea<4>(d);
  if (d.mem()) {
    if (Spec h = specialise_mov_m<8>(d)) return h;
    return specialise_mov_m<4>(d);
  }
  if (d.fn == &mov_EG<8>) return chained<&mov_EG_r<8>>();
  if (d.fn == &mov_EG<4>) return chained<&mov_EG_r<4>>();
  if (d.fn == &mov_GE<8>) return chained<&mov_GE_r<8>>();
  if (d.fn == &mov_GE<4>) return chained<&mov_GE_r<4>>();
  return {};
}

}  // namespace slot::cpu
