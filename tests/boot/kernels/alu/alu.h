// alu kernel: shared types. Each case runs one instruction on the CPU under
// test (alu_exec.cpp) and on an independent C model written from the SDM's
// pseudo-code and "Flags Affected" sections (alu_ref.cpp), and compares the
// two with the flags the SDM leaves undefined masked out on both sides.
#pragma once
#include "tests/boot/rt/rt.h"

// Registers around one instruction: d = destination (or RAX), s = source (or
// count/divisor), x = extra (RDX, or RAX for CMPXCHG), f = RFLAGS in and out.
struct Io {
  uint64_t d, s, x, f;
};

// What the SDM defines after the instruction: bits outside a mask are not compared.
struct Masks {
  uint64_t d = ~0ull, s = ~0ull, x = ~0ull, f = ~0ull;
};

enum class Gen : uint8_t {
  Plain,     // random operands, some edge values
  Count,     // s = shift/rotate count (edge-heavy)
  CountLe,   // s = count <= width (SHLD/SHRD: larger 16-bit counts are undefined)
  Div,       // unsigned divide that cannot #DE
  IDiv,      // signed divide that cannot #DE
};

struct Op {
  const char* name;
  unsigned width;  // 8, 16, 32, 64
  void (*exec)(Io&);
  void (*ref)(unsigned width, Io& io, Masks& m);
  Gen gen;
};

// Arithmetic flags (SDM Vol. 1 §3.4.3.1).
inline constexpr uint64_t CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11;
inline constexpr uint64_t ARITH = CF | PF | AF | ZF | SF | OF;

// Tables (alu_exec.cpp) and reference models (alu_ref.cpp, alu_ref2.cpp).
extern const Op g_ops[];
extern const unsigned g_op_count;

// Reference models; `w` is the operand width in bits.
#define REF(n) void n(unsigned w, Io& io, Masks& m);
REF(ref_add) REF(ref_adc) REF(ref_sub) REF(ref_sbb) REF(ref_cmp) REF(ref_and) REF(ref_or) REF(ref_xor)
REF(ref_test) REF(ref_inc) REF(ref_dec) REF(ref_neg) REF(ref_not) REF(ref_shl) REF(ref_shr) REF(ref_sar)
REF(ref_rol) REF(ref_ror) REF(ref_rcl) REF(ref_rcr) REF(ref_shld) REF(ref_shrd) REF(ref_mul) REF(ref_imul1)
REF(ref_imul2) REF(ref_imul3a) REF(ref_imul3b) REF(ref_div) REF(ref_idiv) REF(ref_bt) REF(ref_bts)
REF(ref_btr) REF(ref_btc) REF(ref_bsf) REF(ref_bsr) REF(ref_xadd) REF(ref_cmpxchg) REF(ref_bswap)
REF(ref_xchg) REF(ref_movzx8) REF(ref_movsx8) REF(ref_movsx16) REF(ref_movsxd)
#undef REF

// Helpers shared by the models.
inline uint64_t wmask(unsigned w) { return w == 64 ? ~0ull : (1ull << w) - 1; }
inline uint64_t msb(unsigned w, uint64_t v) { return v >> (w - 1) & 1; }
inline uint64_t sext(unsigned w, uint64_t v) { return w == 64 ? v : (uint64_t)((int64_t)(v << (64 - w)) >> (64 - w)); }
// Writes a w-bit result into a 64-bit register: 8/16-bit writes keep the upper
// bits, 32-bit writes zero-extend (SDM Vol. 1 §3.4.1.1).
inline uint64_t put(unsigned w, uint64_t reg, uint64_t v) {
  if (w == 64) return v;
  if (w == 32) return v & 0xFFFFFFFF;
  return (reg & ~wmask(w)) | (v & wmask(w));
}
// SF, ZF, PF of a w-bit result (PF: even parity of the low byte).
inline uint64_t szp(unsigned w, uint64_t r) {
  r &= wmask(w);
  uint64_t f = 0;
  if (r == 0) f |= ZF;
  if (msb(w, r)) f |= SF;
  if (!(__builtin_popcountll(r & 0xFF) & 1)) f |= PF;
  return f;
}
inline uint64_t setf(uint64_t f, uint64_t which, uint64_t values) { return (f & ~which) | (values & which); }

// Misc checks outside the table (alu_misc.cpp, alu_string.cpp).
void alu_run_table(Rng& rng);
void alu_misc(Rng& rng);
void alu_strings();
