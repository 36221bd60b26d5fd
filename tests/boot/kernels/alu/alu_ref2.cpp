// Reference models, part 2: multiply and divide (128-bit arithmetic done by
// hand: 32-bit partial products and shift-subtract division, so the model does
// not lean on the MUL/DIV forms under test), bit tests and scans, XADD,
// CMPXCHG, BSWAP, XCHG and the sign/zero extensions.
#include "tests/boot/kernels/alu/alu.h"

struct U128 {
  uint64_t hi, lo;
};
static U128 mulu(uint64_t a, uint64_t b) {
  const uint64_t M = 0xFFFFFFFF;
  uint64_t p00 = (a & M) * (b & M), p01 = (a & M) * (b >> 32), p10 = (a >> 32) * (b & M),
           p11 = (a >> 32) * (b >> 32);
  uint64_t mid = (p00 >> 32) + (p01 & M) + (p10 & M);
  return {p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32), (p00 & M) | mid << 32};
}
static U128 muls(uint64_t a, uint64_t b) {  // signed 64 x 64 -> 128
  U128 p = mulu(a, b);
  if ((int64_t)a < 0) p.hi -= b;
  if ((int64_t)b < 0) p.hi -= a;
  return p;
}
static U128 neg128(U128 v) { return {~v.hi + (v.lo == 0), ~v.lo + 1}; }
// Unsigned 128 / 64 by shift-subtract; requires n.hi < d (quotient fits 64 bits).
static void udiv(U128 n, uint64_t d, uint64_t* q, uint64_t* r) {
  uint64_t rem = n.hi, quo = 0;
  for (int i = 63; i >= 0; i--) {
    uint64_t carry = rem >> 63;
    rem = rem << 1 | (n.lo >> i & 1);
    quo <<= 1;
    if (carry || rem >= d) rem -= d, quo |= 1;
  }
  *q = quo, *r = rem;
}

// Product of two w-bit values as (high w bits, low w bits).
static U128 product(unsigned w, uint64_t a, uint64_t b, bool sign) {
  if (w == 64) return sign ? muls(a, b) : mulu(a, b);
  uint64_t p = sign ? (uint64_t)((int64_t)sext(w, a) * (int64_t)sext(w, b)) : (a & wmask(w)) * (b & wmask(w));
  return {(p >> w) & wmask(w), p & wmask(w)};
}
// CF = OF = 1 when the high half is not just the extension of the low half.
static bool overflows(unsigned w, U128 p, bool sign) {
  uint64_t ext = sign && msb(w, p.lo) ? wmask(w) : 0;
  return p.hi != ext;
}
static void mulflags(Io& io, Masks& m, bool ov) {
  io.f = setf(io.f, CF | OF, ov ? CF | OF : 0);
  m.f &= ~(SF | ZF | AF | PF);  // undefined after MUL and IMUL
}
// One-operand MUL/IMUL: AX = AL * r8; DX:AX, EDX:EAX, RDX:RAX otherwise.
static void mul1(unsigned w, Io& io, Masks& m, bool sign) {
  U128 p = product(w, io.d, io.s, sign);
  if (w == 8) {
    io.d = put(16, io.d, p.hi << 8 | p.lo);
  } else {
    io.d = put(w, io.d, p.lo);
    io.x = put(w, io.x, p.hi);
  }
  mulflags(io, m, overflows(w, p, sign));
}
void ref_mul(unsigned w, Io& io, Masks& m) { mul1(w, io, m, false); }
void ref_imul1(unsigned w, Io& io, Masks& m) { mul1(w, io, m, true); }
static void imul_to(unsigned w, Io& io, Masks& m, uint64_t a, uint64_t b) {
  U128 p = product(w, a, b, true);
  io.d = put(w, io.d, p.lo);
  mulflags(io, m, overflows(w, p, true));
}
void ref_imul2(unsigned w, Io& io, Masks& m) { imul_to(w, io, m, io.d, io.s); }
void ref_imul3a(unsigned w, Io& io, Masks& m) { imul_to(w, io, m, io.s, (uint64_t)-3); }
void ref_imul3b(unsigned w, Io& io, Masks& m) { imul_to(w, io, m, io.s, w == 16 ? 0x1234 : 0x12345); }

// DIV/IDIV: dividend AX, DX:AX, EDX:EAX or RDX:RAX; all six flags undefined.
static U128 dividend(unsigned w, const Io& io) {
  if (w == 8) return {0, io.d & 0xFFFF};
  if (w == 64) return {io.x, io.d};
  return {0, (io.x & wmask(w)) << w | (io.d & wmask(w))};
}
static void store_div(unsigned w, Io& io, Masks& m, uint64_t q, uint64_t r) {
  if (w == 8) {
    io.d = put(16, io.d, (r & 0xFF) << 8 | (q & 0xFF));
  } else {
    io.d = put(w, io.d, q);
    io.x = put(w, io.x, r);
  }
  m.f &= ~ARITH;
}
void ref_div(unsigned w, Io& io, Masks& m) {
  uint64_t q, r;
  udiv(dividend(w, io), io.s & wmask(w), &q, &r);
  store_div(w, io, m, q, r);
}
void ref_idiv(unsigned w, Io& io, Masks& m) {
  U128 n = dividend(w, io);
  bool nneg = w == 64 ? (int64_t)n.hi < 0 : (n.lo >> (2 * w - 1)) & 1;
  if (w < 64) n.lo = sext(2 * w, n.lo), n.hi = nneg ? ~0ull : 0;
  uint64_t d = sext(w, io.s);
  bool dneg = (int64_t)d < 0;
  uint64_t q, r;
  udiv(nneg ? neg128(n) : n, dneg ? 0 - d : d, &q, &r);
  if (nneg != dneg) q = 0 - q;  // quotient truncates toward zero
  if (nneg) r = 0 - r;          // remainder has the dividend's sign
  store_div(w, io, m, q, r);
}

// BT/BTS/BTR/BTC with a register bit offset (taken modulo the width): CF =
// the bit; ZF unaffected; OF SF AF PF undefined.
static void bitop(unsigned w, Io& io, Masks& m, int op) {
  unsigned bit = io.s & (w - 1);
  uint64_t a = io.d & wmask(w), b = 1ull << bit;
  io.f = setf(io.f, CF, (a & b) ? CF : 0);
  m.f &= ~(OF | SF | AF | PF);
  if (op == 1) io.d = put(w, io.d, a | b);
  if (op == 2) io.d = put(w, io.d, a & ~b);
  if (op == 3) io.d = put(w, io.d, a ^ b);
}
void ref_bt(unsigned w, Io& io, Masks& m) { bitop(w, io, m, 0); }
void ref_bts(unsigned w, Io& io, Masks& m) { bitop(w, io, m, 1); }
void ref_btr(unsigned w, Io& io, Masks& m) { bitop(w, io, m, 2); }
void ref_btc(unsigned w, Io& io, Masks& m) { bitop(w, io, m, 3); }

// BSF/BSR: ZF = (source == 0), destination undefined then; CF OF SF AF PF undefined.
static void scan(unsigned w, Io& io, Masks& m, bool reverse) {
  uint64_t s = io.s & wmask(w);
  m.f &= ~(CF | OF | SF | AF | PF);
  if (!s) {
    io.f |= ZF;
    m.d = 0;
    return;
  }
  unsigned i = 0;
  if (reverse) {
    for (i = w - 1; !(s >> i & 1); i--) {
    }
  } else {
    for (i = 0; !(s >> i & 1); i++) {
    }
  }
  io.f &= ~ZF;
  io.d = put(w, io.d, i);
}
void ref_bsf(unsigned w, Io& io, Masks& m) { scan(w, io, m, false); }
void ref_bsr(unsigned w, Io& io, Masks& m) { scan(w, io, m, true); }

// XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP; flags as ADD.
void ref_xadd(unsigned w, Io& io, Masks& m) {
  uint64_t old = io.d;
  ref_add(w, io, m);
  io.s = put(w, io.s, old);
}
// CMPXCHG (SDM pseudo-code): compare accumulator (io.x) with DEST as CMP does;
// equal: DEST = SRC (accumulator untouched); else accumulator = DEST. The
// pseudo-code's write-back of DEST in the second case is the locked memory
// cycle: a 32-bit *register* destination keeps its upper half, as hardware
// and QEMU agree (found by FEX-Emu PR #439 and angr/vex PR #63 against silicon).
void ref_cmpxchg(unsigned w, Io& io, Masks& m) {
  Io t = {io.x, io.d, 0, io.f};
  ref_cmp(w, t, m);
  io.f = t.f;
  if ((io.x & wmask(w)) == (io.d & wmask(w))) {
    io.d = put(w, io.d, io.s);
  } else {
    io.x = put(w, io.x, io.d);
  }
}
void ref_bswap(unsigned w, Io& io, Masks&) {
  uint64_t r = 0;
  for (unsigned i = 0; i < w / 8; i++) {
    r = r << 8 | (io.d >> (8 * i) & 0xFF);
    asm("" : "+r"(r));  // keep gcc from turning this loop into BSWAP
  }
  io.d = put(w, io.d, r);
}
void ref_xchg(unsigned w, Io& io, Masks&) {
  uint64_t d = io.d;
  io.d = put(w, io.d, io.s);
  io.s = put(w, io.s, d);
}
void ref_movzx8(unsigned w, Io& io, Masks&) { io.d = put(w, io.d, io.s & 0xFF); }
void ref_movsx8(unsigned w, Io& io, Masks&) { io.d = put(w, io.d, sext(8, io.s)); }
void ref_movsx16(unsigned w, Io& io, Masks&) { io.d = put(w, io.d, sext(16, io.s)); }
void ref_movsxd(unsigned w, Io& io, Masks&) { io.d = put(w, io.d, sext(32, io.s)); }
