// alu: integer instructions and RFLAGS on fixed pseudo-random operands.
// One line per case: "ok|FAIL <op><width> <d> <s> <x> <f> > <d> <s> <x> <f>",
// outputs shown with the SDM-undefined bits masked (so the transcript does not
// depend on how an implementation fills them).
#include "tests/boot/kernels/alu/alu.h"

extern "C" const char rt_kernel_name[] = "alu";

static constexpr unsigned CASES_PER_OP = 6;

// Operand: a random 64-bit value, or random upper bits around an edge value
// of the low `w` bits (0, 1, all ones, sign bit, its neighbours ...).
static uint64_t pick(Rng& rng, unsigned w) {
  uint64_t r = rng.next();
  if (r & 1) return rng.next();
  uint64_t M = wmask(w), sign = 1ull << (w - 1);
  const uint64_t edges[] = {0, 1, 2, M, M - 1, sign, sign - 1, sign + 1, 0x7F, 0x80, 0xFF, 0x10};
  return (rng.next() & ~M) | (edges[(r >> 1) % 12] & M);
}

static uint64_t pick_count(Rng& rng, unsigned w) {
  const unsigned counts[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 18, 31, 32, 33, 63, 64, 255};
  uint64_t r = rng.next();
  unsigned c = (r & 3) == 0 ? (unsigned)(r >> 8) : counts[(r >> 2) % 16];
  (void)w;
  return (rng.next() & ~0xFFull) | (c & 0xFF);  // only CL matters; upper bits must be ignored
}

// Unsigned divide that cannot raise #DE: high half of the dividend < divisor.
static void gen_div(Rng& rng, unsigned w, Io& io) {
  uint64_t M = wmask(w);
  uint64_t v = pick(rng, w) & M;
  if (!v) v = 3;
  io.s = (rng.next() & ~M) | v;
  uint64_t hi = rng.next() % v;
  if (w == 8) {
    io.d = (io.d & ~0xFFFFull) | hi << 8 | (rng.next() & 0xFF);
  } else {
    io.x = (io.x & ~M) | hi;
  }
}
// Signed divide that cannot raise #DE: dividend = q * d + r with |q| small.
static void gen_idiv(Rng& rng, unsigned w, Io& io) {
  int64_t d = (int64_t)sext(w, pick(rng, w));
  if (d == 0 || d == -1) d = -7;
  unsigned qbits = w == 64 ? 30 : w - 1;
  int64_t q = (int64_t)sext(qbits, rng.next());
  if (w == 64 && (d > 0x7FFFFFFF || d < -0x7FFFFFFF)) d = (int32_t)d ? (int32_t)d : 5;
  uint64_t ad = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
  int64_t r = (int64_t)(rng.next() % ad);
  int64_t n = q * d;
  if (n < 0 || (n == 0 && (rng.next() & 1))) r = -r;  // remainder takes the dividend's sign
  n += r;
  io.s = (rng.next() & ~wmask(w)) | ((uint64_t)d & wmask(w));
  if (w == 8) {
    io.d = (io.d & ~0xFFFFull) | ((uint64_t)n & 0xFFFF);
  } else if (w == 64) {
    io.d = (uint64_t)n;
    io.x = n < 0 ? ~0ull : 0;
  } else {
    io.d = (io.d & ~wmask(w)) | ((uint64_t)n & wmask(w));
    io.x = (io.x & ~wmask(w)) | (((uint64_t)n >> w) & wmask(w));
  }
}

static Io generate(Rng& rng, const Op& op) {
  unsigned w = op.width;
  Io io = {pick(rng, w), pick(rng, w), rng.next(), 2 | (rng.next() & ARITH)};
  switch (op.gen) {
    case Gen::Plain: break;
    case Gen::Count: io.s = pick_count(rng, w); break;
    case Gen::CountLe: io.x = (rng.next() & ~0xFFull) | (rng.next() % (w + 1)); break;
    case Gen::Div: gen_div(rng, w, io); break;
    case Gen::IDiv: gen_idiv(rng, w, io); break;
  }
  if (op.ref == ref_cmpxchg && (rng.next() & 1)) io.x = (io.x & ~wmask(w)) | (io.d & wmask(w));
  return io;
}

static unsigned g_failed;

static void run_case(const Op& op, const Io& in) {
  Io got = in, want = in;
  Masks m;
  op.exec(got);
  op.ref(op.width, want, m);
  const uint64_t FLAGS = 0x3F7FD5;  // architectural RFLAGS bits; RF never shows in PUSHFQ
  m.f &= FLAGS;
  bool ok = !((got.d ^ want.d) & m.d) && !((got.s ^ want.s) & m.s) && !((got.x ^ want.x) & m.x) &&
            !((got.f ^ want.f) & m.f);
  rt_printf("%s %s %lx %lx %lx %lx > %lx %lx %lx %lx", ok ? "ok  " : "FAIL", op.name, in.d, in.s, in.x, in.f,
            got.d & m.d, got.s & m.s, got.x & m.x, got.f & m.f);
  if (!ok) {
    g_failed++;
    rt_printf(" want %lx %lx %lx %lx", want.d & m.d, want.s & m.s, want.x & m.x, want.f & m.f);
  }
  rt_putc('\n');
}

void alu_run_table(Rng& rng) {
  for (unsigned i = 0; i < g_op_count; i++)
    for (unsigned k = 0; k < CASES_PER_OP; k++) run_case(g_ops[i], generate(rng, g_ops[i]));
  rt_check("instruction table: failed cases", g_failed, 0);
}

extern "C" void kmain() {
  Rng rng = {0x5107'1AB5'EED0'0001ull};
  alu_run_table(rng);
  alu_misc(rng);
  alu_strings();
}
