// alu, part 2: condition codes (SETcc, CMOVcc incl. the 32-bit zero-extension
// of a CMOV whose condition is false), LAHF/SAHF, PUSHF/POPF, CBW..CQO, LOCKed
// memory forms, bit strings in memory, CMPXCHG8B/16B, LOOP/JRCXZ, ENTER/LEAVE.
#include "tests/boot/kernels/alu/alu.h"

// Condition cc (SDM Vol. 1 table B-1) evaluated from RFLAGS.
static bool cond(unsigned cc, uint64_t f) {
  bool c = f & CF, z = f & ZF, s = f & SF, o = f & OF, p = f & PF, r;
  switch (cc >> 1) {
    case 0: r = o; break;
    case 1: r = c; break;
    case 2: r = z; break;
    case 3: r = c || z; break;
    case 4: r = s; break;
    case 5: r = p; break;
    case 6: r = s != o; break;
    default: r = z || s != o; break;
  }
  return (cc & 1) ? !r : r;
}

template <unsigned CC>
static uint64_t setcc(uint64_t f) {  // 0F 90+cc C0: setcc %al
  uint64_t a = 0x55;
  asm volatile("push %[f]; popfq; .byte 0x0F, 0x90 + %c[cc], 0xC0" : "+a"(a) : [f] "r"(f), [cc] "i"(CC) : "cc");
  return a;
}
template <unsigned CC>
static void cmovcc(uint64_t f, uint64_t* r16, uint64_t* r32, uint64_t* r64) {
  const uint64_t D = 0xDDDDDDDDDDDDDDDDull, S = 0x5555555555555555ull;
  uint64_t a = D, b = S;  // cmovcc %bx/%ebx/%rbx -> %ax/%eax/%rax
  asm volatile("push %[f]; popfq; .byte 0x66, 0x0F, 0x40 + %c[cc], 0xC3" : "+a"(a) : "b"(b), [f] "r"(f), [cc] "i"(CC) : "cc");
  *r16 = a, a = D;
  asm volatile("push %[f]; popfq; .byte 0x0F, 0x40 + %c[cc], 0xC3" : "+a"(a) : "b"(b), [f] "r"(f), [cc] "i"(CC) : "cc");
  *r32 = a, a = D;
  asm volatile("push %[f]; popfq; .byte 0x48, 0x0F, 0x40 + %c[cc], 0xC3" : "+a"(a) : "b"(b), [f] "r"(f), [cc] "i"(CC) : "cc");
  *r64 = a;
}
using SetFn = uint64_t (*)(uint64_t);
using CmovFn = void (*)(uint64_t, uint64_t*, uint64_t*, uint64_t*);
template <unsigned... I>
struct CcTable {
  static constexpr SetFn set[] = {setcc<I>...};
  static constexpr CmovFn cmov[] = {cmovcc<I>...};
};
using Cc = CcTable<0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>;

static void conditions(Rng& rng) {
  uint64_t flags[16];
  for (auto& f : flags) f = 2 | (rng.next() & ARITH);
  for (unsigned cc = 0; cc < 16; cc++) {
    uint64_t set_bad = 0, cm_bad = 0;
    for (unsigned i = 0; i < 16; i++) {
      bool t = cond(cc, flags[i]);
      if (Cc::set[cc](flags[i]) != (uint64_t)t) set_bad |= 1ull << i;  // SETcc writes AL only
      uint64_t r16, r32, r64;
      Cc::cmov[cc](flags[i], &r16, &r32, &r64);
      // A 32-bit CMOV always writes its destination: false still zero-extends.
      bool ok = r16 == (t ? 0xDDDDDDDDDDDD5555ull : 0xDDDDDDDDDDDDDDDDull) &&
                r32 == (t ? 0x55555555ull : 0xDDDDDDDDull) && r64 == (t ? 0x5555555555555555ull : 0xDDDDDDDDDDDDDDDDull);
      if (!ok) cm_bad |= 1ull << i;
    }
    static const char* names[] = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
    rt_printf("%s set%s/cmov%s over 16 flag states: wrong setcc %lx, wrong cmov %lx\n",
              !set_bad && !cm_bad ? "ok  " : "FAIL", names[cc], names[cc], set_bad, cm_bad);
    if (set_bad || cm_bad) rt_fail("condition %s", names[cc]);
  }
}

static void flag_transfer(Rng& rng) {
  for (int i = 0; i < 4; i++) {
    uint64_t ah = rng.next() & 0xFF, out, lah;
    asm volatile("push %[f]; popfq; mov %b[ah], %%ah; sahf; pushfq; pop %[o]; lahf; movzbl %%ah, %k[l]"
                 : [o] "=&r"(out), [l] "=&Q"(lah) : [ah] "Q"(ah), [f] "r"(2ull | OF) : "rax", "cc");
    // SAHF loads SF ZF AF PF CF from AH; LAHF stores them with bit 1 = 1, bits 3 and 5 = 0.
    rt_check("sahf: flags", out & 0xFFF, (ah & (SF | ZF | AF | PF | CF)) | 2 | OF);
    rt_check("lahf: ah", lah, (ah & (SF | ZF | AF | PF | CF)) | 2);
  }
  // POPF at CPL 0 writes every flag except TF/IF (kept clear here), RF (cleared),
  // VM, VIP, VIF; reserved bits read as 0 except bit 1 (SDM "POPF").
  uint64_t saved = read_rflags(), out;
  asm volatile("push %[v]; popfq; pushfq; pop %[o]; push %[s]; popfq"
               : [o] "=r"(out) : [v] "r"(~(uint64_t)(x86::FL_TF | x86::FL_IF)), [s] "r"(saved) : "cc");
  uint64_t writable = ARITH | x86::FL_DF | x86::FL_IOPL | x86::FL_NT | x86::FL_AC | x86::FL_ID | 2;
  rt_check("popf all ones (but TF, IF): pushf", out, writable);
}

static void extensions() {
  uint64_t a = 0xAAAAAAAAAAAA5580ull, d;
  asm("cbw" : "+a"(a));
  rt_check("cbw", a, 0xAAAAAAAAAAAAFF80ull);
  a = 0xAAAAAAAA55558000ull;
  asm("cwde" : "+a"(a));
  rt_check("cwde", a, 0xFFFF8000ull);
  a = 0xAAAAAAAA80000000ull;
  asm("cdqe" : "+a"(a));
  rt_check("cdqe", a, 0xFFFFFFFF80000000ull);
  a = 0x1234567890AB8000ull, d = 0x5555555555555555ull;
  asm("cwd" : "+a"(a), "+d"(d));
  rt_check("cwd: dx", d, 0x555555555555FFFFull);
  a = 0x1234567880000000ull, d = 0x5555555555555555ull;
  asm("cltd" : "+a"(a), "+d"(d));
  rt_check("cdq: edx (zero-extended)", d, 0xFFFFFFFFull);
  a = 0x7234567880000000ull, d = 0x5555555555555555ull;
  asm("cqto" : "+a"(a), "+d"(d));
  rt_check("cqo: rdx", d, 0);
}

static void locked_memory(Rng& rng) {
  alignas(16) static volatile uint64_t mem[4];
  for (int i = 0; i < 3; i++) {
    uint64_t a = rng.next(), b = rng.next(), f, old;
    mem[0] = a;
    asm volatile("lock addq %[b], %[m]; pushfq; pop %[f]" : [m] "+m"(mem[0]), [f] "=r"(f) : [b] "r"(b) : "cc");
    Io io = {a, b, 0, 2};
    Masks m;
    ref_add(64, io, m);
    rt_check("lock add mem: value", mem[0], io.d);
    rt_check("lock add mem: flags", f & ARITH, io.f & ARITH);
    mem[1] = a, old = b;
    asm volatile("lock xaddq %[o], %[m]" : [m] "+m"(mem[1]), [o] "+r"(old)::"cc");
    rt_check("lock xadd mem: value", mem[1], a + b);
    rt_check("lock xadd mem: old value", old, a);
    uint64_t acc = (i & 1) ? a : b;
    mem[2] = a;
    asm volatile("lock cmpxchgq %[n], %[m]; pushfq; pop %[f]"
                 : [m] "+m"(mem[2]), "+a"(acc), [f] "=r"(f) : [n] "r"(0x600Dull) : "cc");
    rt_check("lock cmpxchg mem: value", mem[2], (i & 1) ? 0x600D : a);
    rt_check("lock cmpxchg mem: rax", acc, a);
    rt_check("lock cmpxchg mem: ZF", f & ZF, (i & 1) ? ZF : 0);
    uint64_t x = b;
    mem[3] = a;
    asm volatile("xchgq %[x], %[m]" : [m] "+m"(mem[3]), [x] "+r"(x));
    rt_check("xchg mem: value", mem[3], b);
    rt_check("xchg mem: register", x, a);
  }
}

// BT/BTS/BTR/BTC m, r: the register offset is signed and not reduced modulo
// the operand size; it can reach bytes far outside the addressed qword.
static void bit_strings() {
  alignas(8) static volatile uint8_t buf[48];
  for (unsigned i = 0; i < 48; i++) buf[i] = (uint8_t)(i * 37 + 11);
  volatile uint8_t* base = &buf[16];
  const int64_t offs[] = {0, 5, 63, 64, 100, 191, -1, -8, -64, -100, 255};
  for (int64_t off : offs) {
    uint8_t byte = base[off >> 3];
    uint64_t bit = byte >> (off & 7) & 1, f, f2;
    asm volatile("btq %[o], %[m]; pushfq; pop %[f]" : [f] "=r"(f) : [m] "m"(*(volatile uint64_t*)base), [o] "r"(off) : "cc");
    asm volatile("lock btcq %[o], %[m]; pushfq; pop %[f]" : [f] "=r"(f2), [m] "+m"(*(volatile uint64_t*)base) : [o] "r"(off) : "cc", "memory");
    rt_printf("%s bt/btc mem offset %d: CF %lx, byte %x -> %x\n",
              (f & CF) == bit && (f2 & CF) == bit && base[off >> 3] == (byte ^ (1u << (off & 7))) ? "ok  " : "FAIL",
              (int)off, f & CF, byte, base[off >> 3]);
  }
}

static void cmpxchg_wide() {
  alignas(16) static volatile uint64_t m[2] = {0x1111, 0x2222};
  uint64_t a = 0x1111, d = 0x2222, b = 0x3333, c = 0x4444, f;
  asm volatile("lock cmpxchg16b %[m]; pushfq; pop %[f]" : [m] "+m"(*(volatile __int128*)m), "+a"(a), "+d"(d), [f] "=r"(f) : "b"(b), "c"(c) : "cc");
  rt_check("cmpxchg16b equal: ZF", f & ZF, ZF);
  rt_check("cmpxchg16b equal: memory", m[0] ^ m[1] << 32, 0x3333 ^ 0x4444ull << 32);
  a = 0, d = 0;
  asm volatile("lock cmpxchg16b %[m]; pushfq; pop %[f]" : [m] "+m"(*(volatile __int128*)m), "+a"(a), "+d"(d), [f] "=r"(f) : "b"(b), "c"(c) : "cc");
  rt_check("cmpxchg16b not equal: ZF", f & ZF, 0);
  rt_check("cmpxchg16b not equal: rdx:rax", a ^ d << 32, 0x3333 ^ 0x4444ull << 32);
  uint32_t lo = 0x3333, hi = 0;  // m[0] now holds 0x3333
  asm volatile("lock cmpxchg8b %[m]; pushfq; pop %[f]" : [m] "+m"(*(volatile uint64_t*)m), "+a"(lo), "+d"(hi), [f] "=r"(f) : "b"(7), "c"(9) : "cc");
  rt_check("cmpxchg8b equal: ZF", f & ZF, ZF);
  rt_check("cmpxchg8b equal: memory", m[0], 9ull << 32 | 7);
}

static void loops_and_frames() {
  uint64_t n = 0, c = 5;
  asm volatile("1: inc %0; loop 1b" : "+r"(n), "+c"(c));
  rt_check("loop 5: iterations", n, 5);
  n = 0, c = 10;
  asm volatile("1: inc %0; cmp $3, %0; loopne 1b" : "+r"(n), "+c"(c)::"cc");
  rt_check("loopne stops when ZF=1: iterations, rcx", n << 32 | c, 3ull << 32 | 7);
  uint64_t taken;
  c = 0;
  asm volatile("mov $1, %0; jrcxz 1f; mov $0, %0; 1:" : "=&r"(taken) : "c"(c));
  rt_check("jrcxz with rcx=0 taken", taken, 1);
  c = 1ull << 32;  // JRCXZ tests all 64 bits
  asm volatile("mov $1, %0; jrcxz 1f; mov $0, %0; 1:" : "=&r"(taken) : "c"(c));
  rt_check("jrcxz with rcx=2^32 not taken", taken, 0);
  uint64_t rsp0, rbp1, rsp1, slot, frame_copy;
  asm volatile("mov %%rsp, %[s0]; push %%rbp; mov %%rsp, %%rbp; enter $0x20, $2;"
               "mov %%rbp, %[b1]; mov %%rsp, %[s1]; mov -8(%%rbp), %[slot]; mov -16(%%rbp), %[fc]; leave; pop %%rbp"
               : [s0] "=&r"(rsp0), [b1] "=&r"(rbp1), [s1] "=&r"(rsp1), [slot] "=&r"(slot), [fc] "=&r"(frame_copy)
               ::"rbp", "memory");
  // ENTER $0x20, $2 (SDM "ENTER"), entered with RBP = RSP0 - 8: push RBP (at
  // RSP0-16, FrameTemp = RSP0-16); level 2 copies one pointer, [RBP-8] = the
  // value just pushed (RSP0-8); push FrameTemp; RBP = FrameTemp; RSP -= 0x20.
  rt_check("enter 0x20,2: rbp", rsp0 - rbp1, 16);
  rt_check("enter 0x20,2: rsp", rbp1 - rsp1, 16 + 0x20);
  rt_check("enter 0x20,2: copied frame pointer", rsp0 - slot, 8);
  rt_check("enter 0x20,2: pushed frame pointer", frame_copy, rbp1);
}

void alu_misc(Rng& rng) {
  conditions(rng);
  flag_transfer(rng);
  extensions();
  locked_memory(rng);
  bit_strings();
  cmpxchg_wide();
  loops_and_frames();
}
