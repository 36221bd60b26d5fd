// MUL, IMUL (one, two and three operands), DIV, IDIV (SDM Vol. 2A/2B).
// Undefined flags (SF ZF AF PF after MUL/IMUL, all six after DIV/IDIV) are
// left as they were: the differential tests mask them, per the SDM.
#include "cpu/exec/common.h"

namespace slot::cpu {

namespace {
using u128 = unsigned __int128;
using i128 = __int128;

void set_cf_of(Cpu& c, bool v) {
  c.set_status(x86::FL_CF | x86::FL_OF, v ? (x86::FL_CF | x86::FL_OF) : 0);
}

// Writes the double-width product/quotient pair: AX for bytes, rDX:rAX else.
template <unsigned W> void write_pair(Cpu& c, uint64_t lo, uint64_t hi) {
  if constexpr (W == 1) c.set_gpr<2>(RAX, (lo & 0xFF) | ((hi & 0xFF) << 8));
  else { c.set_gpr<W>(RAX, lo); c.set_gpr<W>(RDX, hi); }
}
template <unsigned W> u128 dividend(const Cpu& c) {
  if constexpr (W == 1) return c.gpr<2>(RAX);
  else return (u128(c.gpr<W>(RDX)) << (8 * W)) | c.gpr<W>(RAX);
}
}  // namespace

template <unsigned W> void mul_E(Cpu& c, const Insn& d) {
  const u128 p = u128(c.gpr<W>(RAX)) * c.read_rm<W>(d);
  const uint64_t lo = uint64_t(p) & mask<W>(), hi = uint64_t(p >> (8 * W)) & mask<W>();
  write_pair<W>(c, lo, hi);
  set_cf_of(c, hi != 0);
}

template <unsigned W> void imul_E(Cpu& c, const Insn& d) {
  const i128 p = i128(int64_t(sx<W>(c.gpr<W>(RAX)))) * int64_t(sx<W>(c.read_rm<W>(d)));
  const uint64_t lo = uint64_t(p) & mask<W>(), hi = uint64_t(u128(p) >> (8 * W)) & mask<W>();
  write_pair<W>(c, lo, hi);
  set_cf_of(c, i128(int64_t(sx<W>(lo))) != p);
}

template <unsigned W> void imul2(Cpu& c, const Insn& d, uint64_t a, uint64_t b) {
  const i128 p = i128(int64_t(sx<W>(a))) * int64_t(sx<W>(b));
  const uint64_t lo = uint64_t(p) & mask<W>();
  c.write_greg<W>(d, lo);
  set_cf_of(c, i128(int64_t(sx<W>(lo))) != p);
}
template <unsigned W> void imul_GE(Cpu& c, const Insn& d) { imul2<W>(c, d, c.read_greg<W>(d), c.read_rm<W>(d)); }
template <unsigned W> void imul_GEI(Cpu& c, const Insn& d) { imul2<W>(c, d, c.read_rm<W>(d), d.imm); }

template <unsigned W> void div_E(Cpu& c, const Insn& d) {
  const uint64_t v = c.read_rm<W>(d);
  if (v == 0) c.fault(x86::VEC_DE);
  const u128 n = dividend<W>(c);
  const u128 q = n / v;
  if (q > mask<W>()) c.fault(x86::VEC_DE);
  write_pair<W>(c, uint64_t(q), uint64_t(n % v));
}

template <unsigned W> void idiv_E(Cpu& c, const Insn& d) {
  const int64_t v = int64_t(sx<W>(c.read_rm<W>(d)));
  if (v == 0) c.fault(x86::VEC_DE);
  const u128 raw = dividend<W>(c);
  // Sign-extend the 2W-byte dividend.
  const unsigned bits = 16 * W;
  const i128 n = bits == 128 ? i128(raw) : i128(raw << (128 - bits)) >> (128 - bits);
  const i128 lim = i128(1) << (8 * W - 1);
  // -2^127 / -1 overflows i128 (and negating -2^127 is UB): #DE, as the quotient cannot fit anyway.
  if (W == 8 && v == -1 && n == i128(u128(1) << 127)) c.fault(x86::VEC_DE);
  const i128 q = n / v, r = n % v;
  if (q >= lim || q < -lim) c.fault(x86::VEC_DE);
  write_pair<W>(c, uint64_t(q) & mask<W>(), uint64_t(r) & mask<W>());
}

SLOT_INSTANTIATE(mul_E)
SLOT_INSTANTIATE(imul_E)
SLOT_INSTANTIATE(imul_GE)
SLOT_INSTANTIATE(imul_GEI)
SLOT_INSTANTIATE(div_E)
SLOT_INSTANTIATE(idiv_E)

}  // namespace slot::cpu
