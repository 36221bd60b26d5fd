// BT BTS BTR BTC, BSF BSR, POPCNT LZCNT, BSWAP, SETcc, CMOVcc.
#include "cpu/exec/common.h"

namespace slot::cpu {

namespace {
// op: 0 BT, 1 BTS, 2 BTR, 3 BTC. With a register bit offset and a memory
// operand the offset is signed and may address outside the operand
// (SDM Vol. 2A BT: "bit string" addressing).
template <unsigned W> void bit_op(Cpu& c, const Insn& d, int64_t bitoff, bool reg_offset) {
  constexpr unsigned bits = 8 * W;
  c.materialize();
  auto apply = [&](uint64_t v, unsigned b) -> uint64_t {
    const uint64_t m = 1ull << b;
    c.s.rflags = (c.s.rflags & ~x86::FL_CF) | ((v & m) ? x86::FL_CF : 0);
    switch (d.op) {
      case 1: return v | m;
      case 2: return v & ~m;
      case 3: return v ^ m;
      default: return v;
    }
  };
  if (!d.mem() || !reg_offset) {
    const unsigned b = unsigned(uint64_t(bitoff) & (bits - 1));
    if (d.op == 0) { apply(c.read_rm<W>(d), b); return; }
    c.rmw<W>(d, [&](uint64_t v) { return apply(v, b); });
    return;
  }
  // Memory with register offset: address the W-sized unit containing the bit.
  const int64_t unit = bitoff >= 0 ? bitoff / bits : -((-bitoff + bits - 1) / bits);
  const unsigned b = unsigned(bitoff - unit * int64_t(bits));
  const uint64_t off = c.ea(d) + uint64_t(unit * int64_t(W));
  const uint64_t masked = d.asz == 8 ? off : d.asz == 4 ? uint32_t(off) : uint16_t(off);
  if (d.op == 0) { apply(c.read<W>(d.seg, masked), b); return; }
  const uint64_t v = c.read<W>(d.seg, masked);
  c.check_writable(d.seg, masked, W);
  c.write<W>(d.seg, masked, apply(v, b));
}
}  // namespace

template <unsigned W> void bt_EG(Cpu& c, const Insn& d) {
  bit_op<W>(c, d, int64_t(sx<W>(c.read_greg<W>(d))), true);
}
template <unsigned W> void bt_EI(Cpu& c, const Insn& d) { bit_op<W>(c, d, int64_t(d.imm & 0xFF), false); }

// BSF/BSR: ZF=1 and the destination unchanged when the source is zero (the
// SDM says undefined; every Intel and AMD part leaves it, and so does QEMU).
template <unsigned W> void bsf(Cpu& c, const Insn& d) {
  const uint64_t v = c.read_rm<W>(d);
  c.set_status(x86::FL_ZF, v ? 0 : x86::FL_ZF);
  if (v) c.write_greg<W>(d, unsigned(__builtin_ctzll(v)));
}
template <unsigned W> void bsr(Cpu& c, const Insn& d) {
  const uint64_t v = c.read_rm<W>(d);
  c.set_status(x86::FL_ZF, v ? 0 : x86::FL_ZF);
  if (v) c.write_greg<W>(d, 63u - unsigned(__builtin_clzll(v)));
}
template <unsigned W> void popcnt(Cpu& c, const Insn& d) {
  const uint64_t v = c.read_rm<W>(d);
  c.write_greg<W>(d, unsigned(__builtin_popcountll(v)));
  c.set_status(kStatusFlags, v ? 0 : x86::FL_ZF);
}
template <unsigned W> void lzcnt(Cpu& c, const Insn& d) {
  const uint64_t v = c.read_rm<W>(d);
  const unsigned n = v ? unsigned(__builtin_clzll(v)) - (64 - 8 * W) : 8 * W;
  c.write_greg<W>(d, n);
  c.set_status(x86::FL_CF | x86::FL_ZF, (v == 0 ? x86::FL_CF : 0) | (n == 0 ? x86::FL_ZF : 0));
}

template <unsigned W> void bswap(Cpu& c, const Insn& d) {
  if constexpr (W == 8) c.s.gpr[d.reg] = __builtin_bswap64(c.s.gpr[d.reg]);
  else if constexpr (W == 4) c.set_gpr<4>(d.reg, __builtin_bswap32(uint32_t(c.s.gpr[d.reg])));
  else c.set_gpr<2>(d.reg, 0);  // 16-bit BSWAP is undefined; hardware zeroes the register
}

template <unsigned W> void setcc(Cpu& c, const Insn& d) { c.write_rm<1>(d, c.cond(d.op & 15)); }

// CMOVcc reads its source even when the condition is false, and a 32-bit
// CMOV zero-extends the destination either way (SDM Vol. 2A CMOVcc).
template <unsigned W> void cmovcc(Cpu& c, const Insn& d) {
  const uint64_t v = c.read_rm<W>(d);
  if (c.cond(d.op & 15)) c.write_greg<W>(d, v);
  else if (W == 4) c.write_greg<4>(d, c.read_greg<4>(d));
}

SLOT_INSTANTIATE(bt_EG)
SLOT_INSTANTIATE(bt_EI)
SLOT_INSTANTIATE(bsf)
SLOT_INSTANTIATE(bsr)
SLOT_INSTANTIATE(popcnt)
SLOT_INSTANTIATE(lzcnt)
SLOT_INSTANTIATE(bswap)
SLOT_INSTANTIATE(setcc)
SLOT_INSTANTIATE(cmovcc)

}  // namespace slot::cpu
