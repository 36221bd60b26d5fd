// Shifts and rotates: SHL SHR SAR ROL ROR RCL RCR (group 2), SHLD, SHRD.
// SDM Vol. 2B "SAL/SAR/SHL/SHR", "RCL/RCR/ROL/ROR", "SHLD", "SHRD". A count of
// zero changes no flags; OF is defined only for 1-bit shifts (the differential
// tests mask it otherwise) and we compute it with the 1-bit formula.
#include "cpu/exec/common.h"

namespace slot::cpu {

namespace {
template <unsigned W> [[gnu::always_inline]] inline uint64_t shift_op(Cpu& c, unsigned op, uint64_t a, unsigned count) {
  constexpr unsigned bits = 8 * W;
  constexpr uint64_t m = mask<W>(), sb = sign<W>();
  count &= W == 8 ? 0x3F : 0x1F;
  if (count == 0) return a;
  a &= m;
  uint64_t r = a;
  bool cf = false;
  switch (op) {
    case 0: {  // ROL
      const unsigned n = count % bits;
      r = n ? ((a << n) | (a >> (bits - n))) & m : a;
      cf = r & 1;
      c.set_cf_of(cf, bool(r & sb) != cf);
      return r;
    }
    case 1: {  // ROR
      const unsigned n = count % bits;
      r = n ? ((a >> n) | (a << (bits - n))) & m : a;
      cf = r & sb;
      c.set_cf_of(cf, bool(r & sb) != bool(r & (sb >> 1)));
      return r;
    }
    case 2: {  // RCL: rotate through CF, a (bits+1)-bit rotation
      const unsigned n = W <= 2 ? count % (bits + 1) : count;
      bool carry = c.cf();
      for (unsigned k = 0; k < n; ++k) {
        const bool out = r & sb;
        r = ((r << 1) | carry) & m;
        carry = out;
      }
      c.set_cf_of(carry, bool(r & sb) != carry);
      return r;
    }
    case 3: {  // RCR
      const unsigned n = W <= 2 ? count % (bits + 1) : count;
      const bool old_cf = c.cf();
      const bool of = bool(a & sb) != old_cf;
      bool carry = old_cf;
      for (unsigned k = 0; k < n; ++k) {
        const bool out = r & 1;
        r = (r >> 1) | (carry ? sb : 0);
        carry = out;
      }
      c.set_cf_of(carry, of);
      return r;
    }
    case 4: case 6: {  // SHL/SAL
      r = count < 64 ? (a << count) & m : 0;
      cf = count <= bits ? (a >> (bits - count)) & 1 : 0;
      c.set_shift_flags<W>(r, cf, bool(r & sb) != cf);
      return r;
    }
    case 5: {  // SHR
      r = count < 64 ? a >> count : 0;
      cf = count <= 64 ? (a >> (count - 1)) & 1 : 0;
      c.set_shift_flags<W>(r, cf, a & sb);
      return r;
    }
    default: {  // SAR
      const int64_t v = int64_t(sx<W>(a));
      r = uint64_t(v >> (count < 64 ? count : 63)) & m;
      cf = (v >> (count - 1 < 63 ? count - 1 : 63)) & 1;
      c.set_shift_flags<W>(r, cf, false);
      return r;
    }
  }
}

template <unsigned W> void shift_rm(Cpu& c, const Insn& d, unsigned count) {
  c.rmw<W>(d, [&](uint64_t a) { return shift_op<W>(c, d.op, a, count); });
}

// SHLD/SHRD. For 16-bit operands with count > 16 the SDM leaves the result
// undefined; we shift the 48-bit concatenation dest:src:dest as hardware does.
template <unsigned W> void double_shift(Cpu& c, const Insn& d, unsigned count, bool left) {
  constexpr unsigned bits = 8 * W;
  constexpr uint64_t m = mask<W>(), sb = sign<W>();
  count &= W == 8 ? 0x3F : 0x1F;
  if (count == 0) {
    // No flags change, but a 32-bit register destination is still written
    // (zero-extended), as for any 32-bit GPR write in 64-bit mode.
    const uint64_t v = c.read_rm<W>(d);
    if (W == 4 && !d.mem()) c.write_rm<4>(d, v);
    return;
  }
  const uint64_t src = c.read_greg<W>(d);
  c.rmw<W>(d, [&](uint64_t a) {
    uint64_t r;
    bool cf;
    if (left) {
      if (W == 2) {
        const uint64_t cat = (a << 32) | (src << 16) | a;  // 48 bits
        r = (cat << count >> 32) & m;
        cf = (cat >> (48 - count)) & 1;
      } else {
        r = ((a << count) | (src >> (bits - count))) & m;
        cf = (a >> (bits - count)) & 1;
      }
    } else {
      if (W == 2) {
        const uint64_t cat = a | (src << 16) | (a << 32);  // src:dest with dest repeated above
        r = (cat >> count) & m;
        cf = (cat >> (count - 1)) & 1;
      } else {
        r = ((a >> count) | (src << (bits - count))) & m;
        cf = (a >> (count - 1)) & 1;
      }
    }
    c.set_shift_flags<W>(r, cf, bool((r ^ a) & sb));
    return r;
  });
}
}  // namespace

template <unsigned W> void shift_EI(Cpu& c, const Insn& d) { shift_rm<W>(c, d, unsigned(d.imm)); }
template <unsigned W> void shift_E1(Cpu& c, const Insn& d) { shift_rm<W>(c, d, 1); }
template <unsigned W> void shift_ECL(Cpu& c, const Insn& d) { shift_rm<W>(c, d, unsigned(c.s.gpr[RCX] & 0xFF)); }
template <unsigned W> void shld_I(Cpu& c, const Insn& d) { double_shift<W>(c, d, unsigned(d.imm), true); }
template <unsigned W> void shld_CL(Cpu& c, const Insn& d) { double_shift<W>(c, d, unsigned(c.s.gpr[RCX] & 0xFF), true); }
template <unsigned W> void shrd_I(Cpu& c, const Insn& d) { double_shift<W>(c, d, unsigned(d.imm), false); }
template <unsigned W> void shrd_CL(Cpu& c, const Insn& d) { double_shift<W>(c, d, unsigned(c.s.gpr[RCX] & 0xFF), false); }

SLOT_INSTANTIATE(shift_EI)
SLOT_INSTANTIATE(shift_E1)
SLOT_INSTANTIATE(shift_ECL)
SLOT_INSTANTIATE(shld_I)
SLOT_INSTANTIATE(shld_CL)
SLOT_INSTANTIATE(shrd_I)
SLOT_INSTANTIATE(shrd_CL)


// Decode-time specialisation (issue 18): the register form of a shift or
// rotate by an immediate with the operation fixed at compile time.
namespace {
template <unsigned W> struct ShiftRI {
  template <unsigned OP> static void fn(Cpu& c, const Insn& d) {
    c.set_gpr<W>(d.rm, shift_op<W>(c, OP, c.s.gpr[d.rm], unsigned(d.imm)));
  }
};
}  // namespace

Spec specialise_shift(const Insn& d) {
  if (d.mem()) return {};
  if (d.osz == 8 && d.fn == &shift_EI<8>) return kChainedTable<ShiftRI<8>, 8>[d.op & 7];
  if (d.osz == 4 && d.fn == &shift_EI<4>) return kChainedTable<ShiftRI<4>, 8>[d.op & 7];
  return {};
}

}  // namespace slot::cpu
