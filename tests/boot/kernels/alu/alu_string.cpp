// alu, part 3: string instructions with REP/REPE/REPNE, both directions, a
// zero count, overlapping MOVSB, and the 32-bit address-size form (SDM Vol. 2
// "MOVS", "STOS", "CMPS", "SCAS", "REP/REPE/REPNE").
#include "tests/boot/kernels/alu/alu.h"

alignas(16) static uint8_t g_src[256], g_dst[256];

static void fill(uint8_t* p, unsigned n, unsigned seed) {
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(i * 7 + seed);
}
static bool same(const uint8_t* a, const uint8_t* b, unsigned n) { return memcmp(a, b, n) == 0; }
static uint64_t cmp_flags(uint8_t a, uint8_t b) {
  Io io = {a, b, 0, 2};
  Masks m;
  ref_cmp(8, io, m);
  return io.f & ARITH;
}

void alu_strings() {
  fill(g_src, 256, 3);
  memset(g_dst, 0, 256);
  uint8_t *si = g_src, *di = g_dst;
  uint64_t c = 37;
  asm volatile("cld; rep movsb" : "+S"(si), "+D"(di), "+c"(c)::"memory");
  rt_check("rep movsb 37: rsi, rdi advanced, rcx", (uint64_t)(si - g_src) << 16 | (uint64_t)(di - g_dst) << 8 | c,
           37 << 16 | 37 << 8);
  rt_check("rep movsb 37: copied, nothing more", same(g_src, g_dst, 37) && g_dst[37] == 0, 1);

  si = g_src + 8 * 9, di = g_dst + 128 + 8 * 9, c = 10;  // last qwords; DF=1 walks down
  asm volatile("std; rep movsq; cld" : "+S"(si), "+D"(di), "+c"(c)::"memory");
  rt_check("std; rep movsq 10: rsi moved down 80", (uint64_t)(g_src + 8 * 9 - si), 80);
  rt_check("std; rep movsq 10: copied", same(g_src, g_dst + 128, 80), 1);

  di = g_dst, c = 9;
  asm volatile("cld; rep stosw" : "+D"(di), "+c"(c) : "a"(0xBEEF) : "memory");
  rt_check("rep stosw 9: rdi", (uint64_t)(di - g_dst), 18);
  rt_check("rep stosw 9: last word, next byte", g_dst[16] | g_dst[17] << 8 | g_dst[18] << 16, 0xBEEF | (uint8_t)(18 * 7 + 3) << 16);

  fill(g_dst, 256, 3);
  g_dst[10] ^= 0x40;
  si = g_src, di = g_dst, c = 20;
  uint64_t f;
  asm volatile("cld; repe cmpsb; pushfq; pop %[f]" : "+S"(si), "+D"(di), "+c"(c), [f] "=r"(f)::"cc");
  rt_check("repe cmpsb: stops after the mismatch at 10: rcx", c, 9);
  rt_check("repe cmpsb: rsi", (uint64_t)(si - g_src), 11);
  rt_check("repe cmpsb: flags of the last compare", f & ARITH, cmp_flags(g_src[10], g_dst[10]));

  di = g_src, c = 100;
  asm volatile("cld; repne scasb; pushfq; pop %[f]" : "+D"(di), "+c"(c), [f] "=r"(f) : "a"(g_src[42]) : "cc");
  rt_check("repne scasb finds byte 42: rdi, rcx", (uint64_t)(di - g_src) << 8 | c, 43 << 8 | (100 - 43));
  rt_check("repne scasb: ZF", f & ZF, ZF);
  di = g_src, c = 16;
  asm volatile("cld; repne scasb; pushfq; pop %[f]" : "+D"(di), "+c"(c), [f] "=r"(f) : "a"(0xEE) : "cc");
  rt_check("repne scasb not found: rcx, ZF", c << 8 | (f & ZF), 0);

  si = g_src, di = g_dst, c = 0;  // a zero count does nothing, not even to the flags
  asm volatile("push %[f]; popfq; repe cmpsb; pushfq; pop %[f]" : "+S"(si), "+D"(di), "+c"(c), [f] "+r"(f) : : "cc");
  rt_check("repe cmpsb with rcx=0: registers untouched", (uint64_t)(si - g_src) | (uint64_t)(di - g_dst) | c, 0);

  fill(g_dst, 32, 100);
  si = g_dst, di = g_dst + 1, c = 16;  // overlap: byte by byte, so g_dst[0] propagates
  asm volatile("cld; rep movsb" : "+S"(si), "+D"(di), "+c"(c)::"memory");
  bool smear = true;
  for (int i = 1; i <= 16; i++) smear &= g_dst[i] == g_dst[0];
  rt_check("overlapping rep movsb propagates the first byte", smear && g_dst[17] == (uint8_t)(17 * 7 + 100), 1);

  // Address size 32 (0x67): ESI/EDI address memory and are written back zero-extended.
  uint64_t rsi = 0xFFFFFFFF00000000ull | (uint64_t)g_src, rdi = 0xABCD000000000000ull | (uint64_t)g_dst;
  memset(g_dst, 0, 8);
  asm volatile("cld; addr32 movsb" : "+S"(rsi), "+D"(rdi)::"memory");
  rt_check("addr32 movsb: rsi zero-extended", rsi, (uint64_t)g_src + 1);
  rt_check("addr32 movsb: rdi zero-extended", rdi, (uint64_t)g_dst + 1);
  rt_check("addr32 movsb: byte copied", g_dst[0], g_src[0]);

  uint64_t v;
  si = g_src + 8;
  asm volatile("std; lodsq; cld" : "+S"(si), "=a"(v));
  rt_check("std; lodsq: value, rsi", v == *(uint64_t*)(g_src + 8) && si == g_src, 1);
}
