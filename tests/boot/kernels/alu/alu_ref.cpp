// Reference models, part 1: add/sub family, logic, inc/dec/neg/not, shifts and
// rotates. Written from the SDM Vol. 2 pseudo-code ("Operation") and "Flags
// Affected"; flags the SDM calls undefined are removed from Masks::f.
#include "tests/boot/kernels/alu/alu.h"

// a + b + cin or a - b - bin on w bits: result and all six flags.
static uint64_t arith(unsigned w, uint64_t a, uint64_t b, uint64_t c, bool sub, uint64_t* flags) {
  uint64_t M = wmask(w);
  a &= M, b &= M;
  uint64_t r, cf, of;
  if (!sub) {
    r = (a + b + c) & M;
    cf = w == 64 ? (r < a || (c && r == a)) : ((a + b + c) >> w) & 1;
    of = msb(w, (a ^ r) & (b ^ r));
  } else {
    r = (a - b - c) & M;
    cf = a < b || (c && a == b);
    of = msb(w, (a ^ b) & (a ^ r));
  }
  uint64_t af = ((a ^ b ^ r) >> 4) & 1;
  *flags = szp(w, r) | (cf ? CF : 0) | (af ? AF : 0) | (of ? OF : 0);
  return r;
}

static void addsub(unsigned w, Io& io, bool sub, uint64_t c, bool write) {
  uint64_t f;
  uint64_t r = arith(w, io.d, io.s, c, sub, &f);
  io.f = setf(io.f, ARITH, f);
  if (write) io.d = put(w, io.d, r);
}
void ref_add(unsigned w, Io& io, Masks&) { addsub(w, io, false, 0, true); }
void ref_adc(unsigned w, Io& io, Masks&) { addsub(w, io, false, io.f & CF, true); }
void ref_sub(unsigned w, Io& io, Masks&) { addsub(w, io, true, 0, true); }
void ref_sbb(unsigned w, Io& io, Masks&) { addsub(w, io, true, io.f & CF, true); }
void ref_cmp(unsigned w, Io& io, Masks&) { addsub(w, io, true, 0, false); }

// AND/OR/XOR/TEST: OF = CF = 0, SF ZF PF from the result, AF undefined.
static void logic(unsigned w, Io& io, Masks& m, uint64_t r, bool write) {
  io.f = setf(io.f, ARITH, szp(w, r));
  m.f &= ~AF;
  if (write) io.d = put(w, io.d, r);
}
void ref_and(unsigned w, Io& io, Masks& m) { logic(w, io, m, io.d & io.s, true); }
void ref_or(unsigned w, Io& io, Masks& m) { logic(w, io, m, io.d | io.s, true); }
void ref_xor(unsigned w, Io& io, Masks& m) { logic(w, io, m, io.d ^ io.s, true); }
void ref_test(unsigned w, Io& io, Masks& m) { logic(w, io, m, io.d & io.s, false); }

// INC/DEC: like ADD/SUB 1 but CF is not affected.
void ref_inc(unsigned w, Io& io, Masks&) {
  uint64_t f;
  uint64_t r = arith(w, io.d, 1, 0, false, &f);
  io.f = setf(io.f, ARITH & ~CF, f);
  io.d = put(w, io.d, r);
}
void ref_dec(unsigned w, Io& io, Masks&) {
  uint64_t f;
  uint64_t r = arith(w, io.d, 1, 0, true, &f);
  io.f = setf(io.f, ARITH & ~CF, f);
  io.d = put(w, io.d, r);
}
// NEG: 0 - DEST, CF = (DEST != 0).
void ref_neg(unsigned w, Io& io, Masks&) {
  uint64_t f;
  uint64_t r = arith(w, 0, io.d, 0, true, &f);
  io.f = setf(io.f, ARITH, f);
  io.d = put(w, io.d, r);
}
void ref_not(unsigned w, Io& io, Masks&) { io.d = put(w, io.d, ~io.d); }

static unsigned count_mask(unsigned w) { return w == 64 ? 63 : 31; }

// SHL/SHR/SAR (SDM "SAL/SAR/SHL/SHR"): count masked to 5 (6) bits; count 0
// changes no flag (a 32-bit destination is still written, so zero-extended);
// CF undefined for SHL/SHR when count >= width; OF only for count 1; AF undefined.
void ref_shl(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  uint64_t a = io.d & wmask(w);
  if (c == 0) return (void)(io.d = put(w, io.d, a));
  uint64_t r = c >= w ? 0 : (a << c) & wmask(w);
  uint64_t cf = c < w ? (a >> (w - c)) & 1 : 0;
  if (c >= w) m.f &= ~CF;
  uint64_t of = msb(w, r) ^ cf;
  if (c != 1) m.f &= ~OF;
  m.f &= ~AF;
  io.f = setf(io.f, ARITH, szp(w, r) | (cf ? CF : 0) | (of ? OF : 0));
  io.d = put(w, io.d, r);
}
void ref_shr(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  uint64_t a = io.d & wmask(w);
  if (c == 0) return (void)(io.d = put(w, io.d, a));
  uint64_t r = c >= w ? 0 : a >> c;
  uint64_t cf = c <= w ? (a >> (c - 1)) & 1 : 0;
  if (c >= w) m.f &= ~CF;
  uint64_t of = msb(w, a);
  if (c != 1) m.f &= ~OF;
  m.f &= ~AF;
  io.f = setf(io.f, ARITH, szp(w, r) | (cf ? CF : 0) | (of ? OF : 0));
  io.d = put(w, io.d, r);
}
void ref_sar(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  int64_t a = (int64_t)sext(w, io.d);
  if (c == 0) return (void)(io.d = put(w, io.d, (uint64_t)a));
  unsigned k = c >= w ? w - 1 : c;  // shifting further only repeats the sign bit
  uint64_t r = (uint64_t)(a >> k) & wmask(w);
  uint64_t cf = (uint64_t)(a >> (k - (c >= w ? 0 : 1))) & 1;
  if (c != 1) m.f &= ~OF;  // OF = 0 for a 1-bit SAR
  m.f &= ~AF;
  io.f = setf(io.f, ARITH, szp(w, r) | (cf ? CF : 0));
  io.d = put(w, io.d, r);
}

// ROL/ROR (SDM "RCL/RCR/ROL/ROR"): only CF and OF; CF is written whenever the
// masked count is non-zero, OF is defined only for a masked count of 1.
static uint64_t rot(unsigned w, uint64_t a, unsigned n, bool left) {
  n %= w;
  if (!n) return a;
  return (left ? (a << n) | (a >> (w - n)) : (a >> n) | (a << (w - n))) & wmask(w);
}
void ref_rol(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  uint64_t r = rot(w, io.d & wmask(w), c, true);
  io.d = put(w, io.d, r);
  if (c == 0) return;
  uint64_t cf = r & 1;
  io.f = setf(io.f, CF | OF, (cf ? CF : 0) | ((msb(w, r) ^ cf) ? OF : 0));
  if (c != 1) m.f &= ~OF;
}
void ref_ror(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  uint64_t r = rot(w, io.d & wmask(w), c, false);
  io.d = put(w, io.d, r);
  if (c == 0) return;
  uint64_t cf = msb(w, r);
  io.f = setf(io.f, CF | OF, (cf ? CF : 0) | ((msb(w, r) ^ (r >> (w - 2) & 1)) ? OF : 0));
  if (c != 1) m.f &= ~OF;
}
// RCL/RCR rotate through CF: tempCOUNT = masked count MOD 9 (8-bit) or 17 (16-bit).
void ref_rcl(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  unsigned t = w == 8 ? c % 9 : w == 16 ? c % 17 : c;
  uint64_t a = io.d & wmask(w), cf = io.f & CF;
  for (; t; t--) {
    uint64_t top = msb(w, a);
    a = ((a << 1) | cf) & wmask(w);
    cf = top;
  }
  io.d = put(w, io.d, a);
  if (c == 0) return;
  io.f = setf(io.f, CF | OF, (cf ? CF : 0) | ((msb(w, a) ^ cf) ? OF : 0));
  if (c != 1) m.f &= ~OF;
}
void ref_rcr(unsigned w, Io& io, Masks& m) {
  unsigned c = io.s & count_mask(w);
  unsigned t = w == 8 ? c % 9 : w == 16 ? c % 17 : c;
  uint64_t a = io.d & wmask(w), cf = io.f & CF;
  uint64_t of = msb(w, a) ^ cf;  // computed before rotating (SDM pseudo-code)
  for (; t; t--) {
    uint64_t low = a & 1;
    a = (a >> 1) | (cf << (w - 1));
    cf = low;
  }
  io.d = put(w, io.d, a);
  if (c == 0) return;
  io.f = setf(io.f, CF | OF, (cf ? CF : 0) | (of ? OF : 0));
  if (c != 1) m.f &= ~OF;
}

// SHLD/SHRD dest, src, CL (count in io.x): counts above the width are never
// generated (undefined); CF = last bit shifted out of dest; OF for count 1.
void ref_shld(unsigned w, Io& io, Masks& m) {
  unsigned c = io.x & count_mask(w);
  uint64_t a = io.d & wmask(w), b = io.s & wmask(w);
  if (c == 0) return (void)(io.d = put(w, io.d, a));
  uint64_t r = c == w ? b : ((a << c) | (b >> (w - c))) & wmask(w);
  uint64_t cf = (a >> (w - c)) & 1;
  uint64_t of = msb(w, r) ^ msb(w, a);
  if (c != 1) m.f &= ~OF;
  m.f &= ~AF;
  io.f = setf(io.f, ARITH, szp(w, r) | (cf ? CF : 0) | (of ? OF : 0));
  io.d = put(w, io.d, r);
}
void ref_shrd(unsigned w, Io& io, Masks& m) {
  unsigned c = io.x & count_mask(w);
  uint64_t a = io.d & wmask(w), b = io.s & wmask(w);
  if (c == 0) return (void)(io.d = put(w, io.d, a));
  uint64_t r = c == w ? b : ((a >> c) | (b << (w - c))) & wmask(w);
  uint64_t cf = (a >> (c - 1)) & 1;
  uint64_t of = msb(w, r) ^ msb(w, a);
  if (c != 1) m.f &= ~OF;
  m.f &= ~AF;
  io.f = setf(io.f, ARITH, szp(w, r) | (cf ? CF : 0) | (of ? OF : 0));
  io.d = put(w, io.d, r);
}
