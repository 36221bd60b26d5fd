// The instructions under test: one tiny inline-asm wrapper per form and width,
// bracketed by POPFQ (load the input flags) and PUSHFQ (capture the output).
// All register forms; g_ops[] pairs each wrapper with its reference model.
#include "tests/boot/kernels/alu/alu.h"

#define IN "push %[f]; popfq; "
#define OUT "; pushfq; pop %[f]"

// op r/m, r (two registers)
#define ALU2(n, mn)                                                                                   \
  static void n##8(Io& io) { asm volatile(IN mn "b %b[s], %b[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##16(Io& io) { asm volatile(IN mn "w %w[s], %w[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %k[s], %k[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %q[s], %q[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); }
// op r/m
#define ALU1(n, mn)                                                                             \
  static void n##8(Io& io) { asm volatile(IN mn "b %b[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f)::"cc"); } \
  static void n##16(Io& io) { asm volatile(IN mn "w %w[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f)::"cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %k[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f)::"cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %q[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f)::"cc"); }
// op r/m, CL
#define SHIFT(n, mn)                                                                                          \
  static void n##8(Io& io) { asm volatile(IN mn "b %%cl, %b[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : "c"(io.s) : "cc"); } \
  static void n##16(Io& io) { asm volatile(IN mn "w %%cl, %w[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : "c"(io.s) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %%cl, %k[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : "c"(io.s) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %%cl, %q[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : "c"(io.s) : "cc"); }
// op r (16/32/64 only), source register form
#define ALU2W(n, mn)                                                                                   \
  static void n##16(Io& io) { asm volatile(IN mn "w %w[s], %w[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %k[s], %k[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %q[s], %q[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); }
// SHLD/SHRD r/m, r, CL
#define DSHIFT(n, mn)                                                                                                  \
  static void n##16(Io& io) { asm volatile(IN mn "w %%cl, %w[s], %w[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s), "c"(io.x) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %%cl, %k[s], %k[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s), "c"(io.x) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %%cl, %q[s], %q[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s), "c"(io.x) : "cc"); }
// MUL/IMUL/DIV/IDIV r/m: implicit RAX (io.d) and RDX (io.x)
#define MULDIV(n, mn)                                                                                            \
  static void n##8(Io& io) { asm volatile(IN mn "b %b[s]" OUT : "+a"(io.d), "+d"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##16(Io& io) { asm volatile(IN mn "w %w[s]" OUT : "+a"(io.d), "+d"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %k[s]" OUT : "+a"(io.d), "+d"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %q[s]" OUT : "+a"(io.d), "+d"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); }
// IMUL r, r/m, imm
#define IMUL3(n, i16, i32)                                                                                     \
  static void n##16(Io& io) { asm volatile(IN "imulw $" #i16 ", %w[s], %w[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN "imull $" #i32 ", %k[s], %k[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN "imulq $" #i32 ", %q[s], %q[d]" OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); }
// XADD/XCHG r/m, r: both registers change
#define SWAP2(n, mn)                                                                                  \
  static void n##8(Io& io) { asm volatile(IN mn "b %b[s], %b[d]" OUT : [d] "+r"(io.d), [s] "+r"(io.s), [f] "+r"(io.f)::"cc"); } \
  static void n##16(Io& io) { asm volatile(IN mn "w %w[s], %w[d]" OUT : [d] "+r"(io.d), [s] "+r"(io.s), [f] "+r"(io.f)::"cc"); } \
  static void n##32(Io& io) { asm volatile(IN mn "l %k[s], %k[d]" OUT : [d] "+r"(io.d), [s] "+r"(io.s), [f] "+r"(io.f)::"cc"); } \
  static void n##64(Io& io) { asm volatile(IN mn "q %q[s], %q[d]" OUT : [d] "+r"(io.d), [s] "+r"(io.s), [f] "+r"(io.f)::"cc"); }
// CMPXCHG r/m, r with the accumulator in io.x
#define CMPXCHG(n)                                                                                                 \
  static void n##8(Io& io) { asm volatile(IN "cmpxchgb %b[s], %b[d]" OUT : [d] "+r"(io.d), "+a"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##16(Io& io) { asm volatile(IN "cmpxchgw %w[s], %w[d]" OUT : [d] "+r"(io.d), "+a"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##32(Io& io) { asm volatile(IN "cmpxchgl %k[s], %k[d]" OUT : [d] "+r"(io.d), "+a"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); } \
  static void n##64(Io& io) { asm volatile(IN "cmpxchgq %q[s], %q[d]" OUT : [d] "+r"(io.d), "+a"(io.x), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); }
// One named form: mov-like extensions and BSWAP
#define ONE(n, text)                                                                                    \
  static void n(Io& io) { asm volatile(IN text OUT : [d] "+r"(io.d), [f] "+r"(io.f) : [s] "r"(io.s) : "cc"); }

ALU2(add, "add") ALU2(adc, "adc") ALU2(sub, "sub") ALU2(sbb, "sbb") ALU2(cmp, "cmp")
ALU2(and, "and") ALU2(or, "or") ALU2(xor, "xor") ALU2(test, "test")
ALU1(inc, "inc") ALU1(dec, "dec") ALU1(neg, "neg") ALU1(not, "not")
SHIFT(shl, "shl") SHIFT(shr, "shr") SHIFT(sar, "sar") SHIFT(rol, "rol") SHIFT(ror, "ror")
SHIFT(rcl, "rcl") SHIFT(rcr, "rcr")
DSHIFT(shld, "shld") DSHIFT(shrd, "shrd")
MULDIV(mul, "mul") MULDIV(imul1_, "imul") MULDIV(div, "div") MULDIV(idiv, "idiv")
ALU2W(imul2_, "imul") IMUL3(imul3a_, -3, -3) IMUL3(imul3b_, 0x1234, 0x12345)
ALU2W(bt, "bt") ALU2W(bts, "bts") ALU2W(btr, "btr") ALU2W(btc, "btc") ALU2W(bsf, "bsf") ALU2W(bsr, "bsr")
SWAP2(xadd, "xadd") SWAP2(xchg, "xchg") CMPXCHG(cmpxchg)
ONE(bswap32, "bswapl %k[d]") ONE(bswap64, "bswapq %q[d]")
ONE(movzx8_16, "movzbw %b[s], %w[d]") ONE(movzx8_32, "movzbl %b[s], %k[d]") ONE(movzx8_64, "movzbq %b[s], %q[d]")
ONE(movsx8_16, "movsbw %b[s], %w[d]") ONE(movsx8_32, "movsbl %b[s], %k[d]") ONE(movsx8_64, "movsbq %b[s], %q[d]")
ONE(movsx16_32, "movswl %w[s], %k[d]") ONE(movsx16_64, "movswq %w[s], %q[d]") ONE(movsxd_64, "movslq %k[s], %q[d]")

#define W4(n, ref, gen) {#n "8", 8, n##8, ref, gen}, {#n "16", 16, n##16, ref, gen}, \
                        {#n "32", 32, n##32, ref, gen}, {#n "64", 64, n##64, ref, gen}
#define W3(n, ref, gen) {#n "16", 16, n##16, ref, gen}, {#n "32", 32, n##32, ref, gen}, {#n "64", 64, n##64, ref, gen}

const Op g_ops[] = {
    W4(add, ref_add, Gen::Plain), W4(adc, ref_adc, Gen::Plain), W4(sub, ref_sub, Gen::Plain),
    W4(sbb, ref_sbb, Gen::Plain), W4(cmp, ref_cmp, Gen::Plain), W4(and, ref_and, Gen::Plain),
    W4(or, ref_or, Gen::Plain), W4(xor, ref_xor, Gen::Plain), W4(test, ref_test, Gen::Plain),
    W4(inc, ref_inc, Gen::Plain), W4(dec, ref_dec, Gen::Plain), W4(neg, ref_neg, Gen::Plain),
    W4(not, ref_not, Gen::Plain),
    W4(shl, ref_shl, Gen::Count), W4(shr, ref_shr, Gen::Count), W4(sar, ref_sar, Gen::Count),
    W4(rol, ref_rol, Gen::Count), W4(ror, ref_ror, Gen::Count), W4(rcl, ref_rcl, Gen::Count),
    W4(rcr, ref_rcr, Gen::Count), W3(shld, ref_shld, Gen::CountLe), W3(shrd, ref_shrd, Gen::CountLe),
    W4(mul, ref_mul, Gen::Plain), W4(imul1_, ref_imul1, Gen::Plain), W3(imul2_, ref_imul2, Gen::Plain),
    W3(imul3a_, ref_imul3a, Gen::Plain), W3(imul3b_, ref_imul3b, Gen::Plain),
    W4(div, ref_div, Gen::Div), W4(idiv, ref_idiv, Gen::IDiv),
    W3(bt, ref_bt, Gen::Plain), W3(bts, ref_bts, Gen::Plain), W3(btr, ref_btr, Gen::Plain),
    W3(btc, ref_btc, Gen::Plain), W3(bsf, ref_bsf, Gen::Plain), W3(bsr, ref_bsr, Gen::Plain),
    W4(xadd, ref_xadd, Gen::Plain), W4(xchg, ref_xchg, Gen::Plain), W4(cmpxchg, ref_cmpxchg, Gen::Plain),
    {"bswap32", 32, bswap32, ref_bswap, Gen::Plain}, {"bswap64", 64, bswap64, ref_bswap, Gen::Plain},
    {"movzx8_16", 16, movzx8_16, ref_movzx8, Gen::Plain}, {"movzx8_32", 32, movzx8_32, ref_movzx8, Gen::Plain},
    {"movzx8_64", 64, movzx8_64, ref_movzx8, Gen::Plain}, {"movsx8_16", 16, movsx8_16, ref_movsx8, Gen::Plain},
    {"movsx8_32", 32, movsx8_32, ref_movsx8, Gen::Plain}, {"movsx8_64", 64, movsx8_64, ref_movsx8, Gen::Plain},
    {"movsx16_32", 32, movsx16_32, ref_movsx16, Gen::Plain},
    {"movsx16_64", 64, movsx16_64, ref_movsx16, Gen::Plain}, {"movsxd", 64, movsxd_64, ref_movsxd, Gen::Plain},
};
const unsigned g_op_count = sizeof g_ops / sizeof g_ops[0];
