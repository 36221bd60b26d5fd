// Control transfer: Jcc, JMP, CALL, RET (near and far), LOOP/JrCXZ, INT n,
// INT3, INTO, IRET, HLT.
#include "cpu/exec/common.h"

namespace slot::cpu {

namespace {
// A near target, truncated to the operand size and checked before anything
// is pushed (SDM Vol. 2A CALL: #GP(0) if not canonical / beyond CS limit).
template <unsigned W> uint64_t near_target(Cpu& c, uint64_t t) {
  t &= mask<W>();
  if constexpr (W == 8) {  // a 64-bit operand size exists only in 64-bit mode
    if (!canonical(t)) c.gp0();
  } else if (c.mode64() ? !canonical(t) : t > c.s.seg[CS].limit) {
    c.gp0();
  }
  return t;
}
template <unsigned W> uint64_t far_offset(Cpu& c, const Insn& d, uint16_t& sel) {
  if (!d.mem()) c.fault(x86::VEC_UD);
  const uint64_t off = c.ea(d);
  const uint64_t target = c.read<W>(d.seg, off);
  sel = uint16_t(c.read<2>(d.seg, off + W));
  return target;
}
}  // namespace

template <unsigned W> void jcc(Cpu& c, const Insn& d) {
  if (c.cond(d.op & 15)) c.s.rip = near_target<W>(c, c.s.rip + d.imm);
}
template <unsigned W> void jmp_rel(Cpu& c, const Insn& d) { c.s.rip = near_target<W>(c, c.s.rip + d.imm); }
template <unsigned W> void jmp_E(Cpu& c, const Insn& d) { c.s.rip = near_target<W>(c, c.read_rm<W>(d)); }
template <unsigned W> void call_rel(Cpu& c, const Insn& d) {
  const uint64_t t = near_target<W>(c, c.s.rip + d.imm);
  c.push<W>(c.s.rip);
  c.s.rip = t;
}
template <unsigned W> void call_E(Cpu& c, const Insn& d) {
  const uint64_t t = near_target<W>(c, c.read_rm<W>(d));
  c.push<W>(c.s.rip);
  c.s.rip = t;
}
template <unsigned W> void ret_near(Cpu& c, const Insn& d) {
  const uint64_t rsp = c.s.gpr[RSP];
  const uint64_t t = c.pop<W>();
  try {
    c.s.rip = near_target<W>(c, t);
  } catch (...) {
    c.s.gpr[RSP] = rsp;
    throw;
  }
  if (d.imm) c.s.gpr[RSP] = (c.s.gpr[RSP] & ~c.sp_mask()) | ((c.s.gpr[RSP] + d.imm) & c.sp_mask());
}

// op: 0 LOOPNE, 1 LOOPE, 2 LOOP, 3 JrCXZ; the count register has the address size.
template <unsigned W> void loop(Cpu& c, const Insn& d) {
  const uint64_t am = d.asz == 8 ? ~0ull : d.asz == 4 ? 0xFFFFFFFFull : 0xFFFFull;
  bool take;
  if (d.op == 3) {
    take = (c.s.gpr[RCX] & am) == 0;
  } else {
    const uint64_t n = (c.s.gpr[RCX] - 1) & am;
    take = n != 0 && (d.op == 2 || c.cond(4) == (d.op == 1));
    if (take) c.s.rip = near_target<W>(c, c.s.rip + d.imm);
    set_addr_reg(c, RCX, n, d.asz);
    return;
  }
  if (take) c.s.rip = near_target<W>(c, c.s.rip + d.imm);
}

template <unsigned W> void jmpf_p(Cpu& c, const Insn& d) { c.load_cs_far(d.imm2, d.imm, false, W); }
template <unsigned W> void callf_p(Cpu& c, const Insn& d) { c.load_cs_far(d.imm2, d.imm, true, W); }
template <unsigned W> void jmpf_E(Cpu& c, const Insn& d) {
  uint16_t sel;
  const uint64_t t = far_offset<W>(c, d, sel);
  c.load_cs_far(sel, t, false, W);
}
template <unsigned W> void callf_E(Cpu& c, const Insn& d) {
  uint16_t sel;
  const uint64_t t = far_offset<W>(c, d, sel);
  c.load_cs_far(sel, t, true, W);
}
template <unsigned W> void retf(Cpu& c, const Insn& d) { c.far_return(W, uint16_t(d.imm)); }

template <unsigned W> void int3(Cpu& c, const Insn&) { c.software_interrupt(x86::VEC_BP, true); }
template <unsigned W> void int_n(Cpu& c, const Insn& d) { c.software_interrupt(uint8_t(d.imm), false); }
template <unsigned W> void int1(Cpu& c, const Insn&) { c.icebp(); }
template <unsigned W> void into(Cpu& c, const Insn&) {
  if (c.cond(0)) c.software_interrupt(x86::VEC_OF, true);
}
template <unsigned W> void iret(Cpu& c, const Insn&) { c.iret(W); }
template <unsigned W> void hlt(Cpu& c, const Insn&) {
  c.require_cpl0();
  c.halt();
}

SLOT_INSTANTIATE(int1)
SLOT_INSTANTIATE(jcc)
SLOT_INSTANTIATE(jmp_rel)
SLOT_INSTANTIATE(jmp_E)
SLOT_INSTANTIATE(call_rel)
SLOT_INSTANTIATE(call_E)
SLOT_INSTANTIATE(ret_near)
SLOT_INSTANTIATE(loop)
SLOT_INSTANTIATE(jmpf_p)
SLOT_INSTANTIATE(callf_p)
SLOT_INSTANTIATE(jmpf_E)
SLOT_INSTANTIATE(callf_E)
SLOT_INSTANTIATE(retf)
SLOT_INSTANTIATE(int3)
SLOT_INSTANTIATE(int_n)
SLOT_INSTANTIATE(into)
SLOT_INSTANTIATE(iret)
SLOT_INSTANTIATE(hlt)


// Decode-time specialisation (issue 18): Jcc with the condition fixed at
// compile time, so Cpu::cond() folds to the one test of the lazy flags it needs.
namespace {
template <unsigned W> struct JccCC {
  template <unsigned CC> static void fn(Cpu& c, const Insn& d) {
    if (c.cond(CC)) c.s.rip = near_target<W>(c, c.s.rip + d.imm);
  }
};

// A 64-bit Jcc inside a chain (exec/common.h): it goes on to the instruction
// its condition picks -- `taken` or `next`, both on its own page -- if that
// one chains too and the budget allows. Where it cannot, the chain ends: with
// that instruction, not run, if it is linked and not pure (a memory access,
// say: run_stretch runs it next); else with the Jcc itself not run and its
// budget unspent, for run_stretch to run the plain way (it changes nothing
// but RIP, so deciding not to run it is free). So a chain's end is the last
// instruction run if pure, else the next one to run (decoded.h). A linked
// `taken` is its target: with 64-bit operand size the target is the
// instruction's end plus the displacement, nothing truncated, and the code
// page's offsets do not depend on which linear page maps it; a target on the
// instruction's own (canonical) page is canonical, so near_target's #GP
// cannot happen on the way through a link. (Other widths depend on CS's
// limit and truncate: they do not chain.)
struct JccChain {
  template <unsigned CC> static ChainEnd fn(Cpu& c, const Insn* d, uint64_t more) {
    const Insn* n = c.cond(CC) ? d->taken : d->next;
    if (more && n->chain) [[likely]] return n->chain(c, n, more - 1);
    if (!(n->flags & IF_PURE) && n != &kUnlinked) return {n, more};
    return {d, more + 1};
  }
};
template <unsigned... CC> constexpr std::array<Spec, sizeof...(CC)> jcc64_table(
    std::integer_sequence<unsigned, CC...>) {
  return {Spec{&JccCC<8>::fn<CC>, &JccChain::fn<CC>}...};
}
constexpr auto kJcc64 = jcc64_table(std::make_integer_sequence<unsigned, 16>{});
}  // namespace

Spec specialise_jcc(const Insn& d) {
  if (d.fn == &jcc<8>) return kJcc64[d.op & 15];
  if (d.fn == &jcc<4>) return {kOpTable<JccCC<4>, 16>[d.op & 15]};
  return {};
}

}  // namespace slot::cpu
