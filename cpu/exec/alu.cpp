// ADD OR ADC SBB AND SUB XOR CMP, TEST, NOT, NEG, INC, DEC, XADD, CMPXCHG,
// CMPXCHG8B/16B. Flags are lazy (flags.h).
#include "cpu/exec/common.h"

namespace slot::cpu {

template <unsigned W> void alu_EG(Cpu& c, const Insn& d) {
  const uint64_t b = c.read_greg<W>(d);
  if (d.op == 7) { alu<W>(c, 7, c.read_rm<W>(d), b); return; }
  c.rmw<W>(d, [&](uint64_t a) { return alu<W>(c, d.op, a, b); });
}
template <unsigned W> void alu_GE(Cpu& c, const Insn& d) {
  const uint64_t r = alu<W>(c, d.op, c.read_greg<W>(d), c.read_rm<W>(d));
  if (d.op != 7) c.write_greg<W>(d, r);
}
template <unsigned W> void alu_AI(Cpu& c, const Insn& d) {
  const uint64_t r = alu<W>(c, d.op, c.gpr<W>(RAX), d.imm);
  if (d.op != 7) c.set_gpr<W>(RAX, r);
}
template <unsigned W> void alu_EI(Cpu& c, const Insn& d) {
  if (d.op == 7) { alu<W>(c, 7, c.read_rm<W>(d), d.imm); return; }
  c.rmw<W>(d, [&](uint64_t a) { return alu<W>(c, d.op, a, d.imm); });
}
template <unsigned W> void test_EG(Cpu& c, const Insn& d) { alu<W>(c, 4, c.read_rm<W>(d), c.read_greg<W>(d)); }
template <unsigned W> void test_AI(Cpu& c, const Insn& d) { alu<W>(c, 4, c.gpr<W>(RAX), d.imm); }
template <unsigned W> void test_EI(Cpu& c, const Insn& d) { alu<W>(c, 4, c.read_rm<W>(d), d.imm); }
template <unsigned W> void not_E(Cpu& c, const Insn& d) { c.rmw<W>(d, [](uint64_t a) { return ~a; }); }
template <unsigned W> void neg_E(Cpu& c, const Insn& d) {
  c.rmw<W>(d, [&](uint64_t a) { return alu<W>(c, 5, 0, a); });
}

// INC/DEC leave CF alone: remember it as the lazy carry-in.
template <unsigned W> uint64_t incdec(Cpu& c, uint64_t a, bool dec) {
  const bool keep_cf = c.cf();
  const uint64_t r = (dec ? a - 1 : a + 1) & mask<W>();
  c.set_lazy<W>(dec ? FO_DEC : FO_INC, a & mask<W>(), 1, r, keep_cf);
  return r;
}
template <unsigned W> void incdec_E(Cpu& c, const Insn& d) {
  c.rmw<W>(d, [&](uint64_t a) { return incdec<W>(c, a, d.op); });
}
template <unsigned W> void inc_r(Cpu& c, const Insn& d) { c.set_gpr<W>(d.reg & 7, incdec<W>(c, c.gpr<W>(d.reg & 7), false)); }
template <unsigned W> void dec_r(Cpu& c, const Insn& d) { c.set_gpr<W>(d.reg & 7, incdec<W>(c, c.gpr<W>(d.reg & 7), true)); }

template <unsigned W> void xadd(Cpu& c, const Insn& d) {
  const uint64_t src = c.read_greg<W>(d);
  if (!d.mem()) {
    // SDM XADD: TEMP <- SRC + DEST; SRC <- DEST; DEST <- TEMP. When both
    // operands name one register the sum is written last and wins.
    const uint64_t old = c.read_rm<W>(d);
    const uint64_t sum = alu<W>(c, 0, old, src);
    c.write_greg<W>(d, old);
    c.write_rm<W>(d, sum);
    return;
  }
  uint64_t old = 0;
  c.rmw<W>(d, [&](uint64_t a) { old = a; return alu<W>(c, 0, a, src); });
  c.write_greg<W>(d, old);
}

template <unsigned W> void cmpxchg(Cpu& c, const Insn& d) {
  const uint64_t acc = c.gpr<W>(RAX), src = c.read_greg<W>(d);
  uint64_t old = 0;
  if (!d.mem()) {
    // Register destination: on failure only the accumulator is written, so a
    // 32-bit destination keeps its upper half (QEMU and the host CPU agree).
    old = c.read_rm<W>(d);
    alu<W>(c, 7, acc, old);
    if (old == acc) c.write_rm<W>(d, src);
    else c.set_gpr<W>(RAX, old);
    return;
  }
  // The destination is always written (with itself on failure): SDM Vol. 2A CMPXCHG.
  c.rmw<W>(d, [&](uint64_t a) {
    old = a;
    alu<W>(c, 7, acc, a);
    return a == acc ? src : a;
  });
  if (old != acc) c.set_gpr<W>(RAX, old);
}

template <unsigned W> void cmpxchg8b(Cpu& c, const Insn& d) {
  if (!d.mem()) c.fault(x86::VEC_UD);
  const uint64_t off = c.ea(d);
  c.materialize();
  if (W == 8) {  // CMPXCHG16B: 16-byte aligned operand or #GP(0)
    if (off & 15) c.gp0();
    c.check_writable(d.seg, off, 16);
    const uint64_t lo = c.read<8>(d.seg, off), hi = c.read<8>(d.seg, off + 8);
    const bool eq = lo == c.s.gpr[RAX] && hi == c.s.gpr[RDX];
    if (eq) { c.write<8>(d.seg, off, c.s.gpr[RBX]); c.write<8>(d.seg, off + 8, c.s.gpr[RCX]); }
    else { c.write<8>(d.seg, off, lo); c.write<8>(d.seg, off + 8, hi); c.s.gpr[RAX] = lo; c.s.gpr[RDX] = hi; }
    c.s.rflags = (c.s.rflags & ~x86::FL_ZF) | (eq ? x86::FL_ZF : 0);
  } else {
    const uint64_t cur = c.read<8>(d.seg, off);
    const uint64_t want = (c.s.gpr[RDX] << 32) | uint32_t(c.s.gpr[RAX]);
    const bool eq = cur == want;
    c.write<8>(d.seg, off, eq ? ((c.s.gpr[RCX] << 32) | uint32_t(c.s.gpr[RBX])) : cur);
    if (!eq) { c.set_gpr<4>(RAX, uint32_t(cur)); c.set_gpr<4>(RDX, cur >> 32); }
    c.s.rflags = (c.s.rflags & ~x86::FL_ZF) | (eq ? x86::FL_ZF : 0);
  }
}

SLOT_INSTANTIATE(alu_EG)
SLOT_INSTANTIATE(alu_GE)
SLOT_INSTANTIATE(alu_AI)
SLOT_INSTANTIATE(alu_EI)
SLOT_INSTANTIATE(test_EG)
SLOT_INSTANTIATE(test_AI)
SLOT_INSTANTIATE(test_EI)
SLOT_INSTANTIATE(not_E)
SLOT_INSTANTIATE(neg_E)
SLOT_INSTANTIATE(incdec_E)
SLOT_INSTANTIATE(inc_r)
SLOT_INSTANTIATE(dec_r)
SLOT_INSTANTIATE(xadd)
SLOT_INSTANTIATE(cmpxchg)
SLOT_INSTANTIATE(cmpxchg8b)


// ---- decode-time specialisation (issue 18) ---------------------------------
// The register forms of the frequent ALU rows with the operation and width
// fixed at compile time: no operation switch, no register/memory test, no
// read-modify-write closure, and the lazy-flags record stored with constant
// kind fields. Same semantics as the generic handlers above (W >= 2: no
// AH..BH byte registers to consider), checked against the host CPU by the
// differential tests like every register form.
namespace {
template <unsigned W> struct AluEG {
  template <unsigned OP> static void fn(Cpu& c, const Insn& d) {
    const uint64_t r = alu<W>(c, OP, c.s.gpr[d.rm], c.s.gpr[d.reg]);
    if constexpr (OP != 7) c.set_gpr<W>(d.rm, r);
  }
};
template <unsigned W> struct AluGE {
  template <unsigned OP> static void fn(Cpu& c, const Insn& d) {
    const uint64_t r = alu<W>(c, OP, c.s.gpr[d.reg], c.s.gpr[d.rm]);
    if constexpr (OP != 7) c.set_gpr<W>(d.reg, r);
  }
};
template <unsigned W> struct AluEI {
  template <unsigned OP> static void fn(Cpu& c, const Insn& d) {
    const uint64_t r = alu<W>(c, OP, c.s.gpr[d.rm], d.imm);
    if constexpr (OP != 7) c.set_gpr<W>(d.rm, r);
  }
};
template <unsigned W> void test_EG_r(Cpu& c, const Insn& d) { alu<W>(c, 4, c.s.gpr[d.rm], c.s.gpr[d.reg]); }
template <unsigned W> struct IncDec {  // op 0 INC, 1 DEC
  template <unsigned OP> static void fn(Cpu& c, const Insn& d) { c.set_gpr<W>(d.rm, incdec<W>(c, c.s.gpr[d.rm], OP)); }
};

template <unsigned W> Spec specialise_w(const Insn& d) {
  if (d.fn == &alu_EG<W>) return kChainedTable<AluEG<W>, 8>[d.op & 7];
  if (d.fn == &alu_GE<W>) return kChainedTable<AluGE<W>, 8>[d.op & 7];
  if (d.fn == &alu_EI<W>) return kChainedTable<AluEI<W>, 8>[d.op & 7];
  if (d.fn == &test_EG<W>) return chained<&test_EG_r<W>>();
  if (d.fn == &incdec_E<W>) return kChainedTable<IncDec<W>, 2>[d.op & 1];
  return {};
}
}  // namespace

Spec specialise_alu(const Insn& d) {
  if (d.mem()) return {};
  switch (d.osz) {
    case 2: return specialise_w<2>(d);
    case 4: return specialise_w<4>(d);
    case 8: return specialise_w<8>(d);
    default: return {};
  }
}

}  // namespace slot::cpu
