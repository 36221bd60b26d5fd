// debugregs: the debug registers as kernels and debuggers use them (SDM Vol.
// 3B §17.2-17.3, Vol. 3A §6.8.3): an instruction breakpoint (a fault before
// the instruction; RF lets it run), data breakpoints on writes and on
// reads/writes with their lengths, a single-step trap and a data hit in one
// #DB, MOV SS delaying the single-step trap and a data-breakpoint #DB (into
// the next instruction's handler), ICEBP, general detect, an I/O breakpoint,
// a REP string stopping after the iteration that hits, DR6/DR7 fixed bits and
// DR4/DR5 aliasing. Each #DB is recorded with its RIP and DR6.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "debugregs";

using namespace x86;
#define SNIP(n) extern "C" void n(); extern "C" char n##_at[], n##_after[];
SNIP(d_exec) SNIP(d_store) SNIP(d_load) SNIP(d_step_store) SNIP(d_movss_tf) SNIP(d_movss_int) SNIP(d_icebp)
SNIP(d_mov_dr0) SNIP(d_out80) SNIP(d_rep_stos) SNIP(d_ud2)
#undef SNIP

static uint64_t A(const volatile void* p) { return (uint64_t)p; }
static uint64_t A(void (*p)()) { return (uint64_t)p; }

// DR7 for breakpoint i: Li, R/W (0 exec, 1 write, 2 I/O, 3 read/write), LEN (0 1, 1 2, 3 4, 2 8 bytes).
static uint64_t bp(unsigned i, unsigned rw, unsigned len) {
  return (1ull << (2 * i)) | (uint64_t)rw << (16 + 4 * i) | (uint64_t)len << (18 + 4 * i);
}

struct Seen { uint64_t rip, dr6, rflags; };
static volatile unsigned g_n;
static Seen g_seen[4];
static bool g_set_rf;
static bool on_db(Frame* f) {
  if (g_n < 4) g_seen[g_n] = {f->rip, read_dr6(), f->rflags};
  g_n = g_n + 1;
  write_dr6(0);             // reads back as 0xFFFF0FF0: the next #DB starts clean
  f->rflags &= ~FL_TF;      // single steps end at the first trap
  if (g_set_rf) f->rflags |= FL_RF;  // go on past an instruction breakpoint
  return true;
}
static void reset() {
  write_dr7(0);
  write_dr6(0);
  g_n = 0;
  g_set_rf = false;
  for (auto& s : g_seen) s = Seen{};
}
// One #DB expected: its RIP and DR6's low bits (B0-B3, BD, BS).
static void expect_one(const char* what, uint64_t rip, uint64_t dr6_bits) {
  rt_printf("%s: #DB count %u, rip %s, dr6 low %x\n", what, g_n, g_seen[0].rip == rip ? "ok" : "WRONG",
            (unsigned)(g_seen[0].dr6 & 0xE00F));
  rt_check(what, g_n == 1 && g_seen[0].rip == rip && (g_seen[0].dr6 & 0xE00F) == dr6_bits, 1);
}

static volatile uint8_t g_data[128] __attribute__((aligned(64)));
static uint64_t run_with_rdi(void (*fn)(), const volatile void* rdi, uint64_t rax = 0) {
  asm volatile("call *%1" : "+a"(rax) : "r"(fn), "D"(rdi) : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory", "cc");
  return rax;
}

static void fixed_bits() {
  reset();
  rt_check("DR6 written 0 reads FFFF0FF0", read_dr6(), 0xFFFF0FF0);
  rt_check("DR7 written 0 reads 400", read_dr7(), 0x400);
  write_dr0(0x1234);
  uint64_t dr4 = 0;
  asm volatile("mov %%dr4, %0" : "=r"(dr4));
  rt_check("DR4 aliases DR6 with CR4.DE = 0", dr4, read_dr6());
  write_cr4(read_cr4() | CR4_DE);
  struct X { static void f(void*) { uint64_t v; asm volatile("mov %%dr4, %0" : "=r"(v)); } };
  rt_expect("mov from DR4 with CR4.DE = 1 -> #UD", rt_try(X::f, nullptr), VEC_UD, 0, RT_ANY);
  write_cr4(read_cr4() & ~CR4_DE);
}

static void instruction_breakpoint() {
  reset();
  write_dr0(A(d_exec_at));
  write_dr7(bp(0, 0, 0));
  g_set_rf = true;
  const uint64_t rax = run_with_rdi(d_exec, g_data, 5);
  write_dr7(0);
  expect_one("instruction breakpoint: a fault at the instruction", A(d_exec_at), 1);
  rt_check("instruction breakpoint: RF clear in the pushed RFLAGS", g_seen[0].rflags & FL_RF, 0);
  rt_check("instruction breakpoint: RF set by the handler lets it run once", rax, 6);
  // Disabled (L0 = G0 = 0) with the rest of DR7 set: nothing.
  reset();
  write_dr0(A(d_exec_at));
  write_dr7(bp(0, 0, 0) & ~3ull);
  run_with_rdi(d_exec, g_data);
  rt_check("disabled breakpoint: no #DB", g_n, 0);
}

static void data_breakpoints() {
  reset();
  write_dr1(A(&g_data[32]));
  write_dr7(bp(1, 1, 3));  // write, 4 bytes: g_data[32..35]
  run_with_rdi(d_load, g_data + 17);  // a read of g_data[33]: not a write
  rt_check("write breakpoint: a read does not hit", g_n, 0);
  run_with_rdi(d_store, g_data + 32);  // writes g_data[34]
  write_dr7(0);
  expect_one("write breakpoint, 4 bytes: a trap after the store", A(d_store_after), 2);

  reset();
  // The address is aligned to the length: unaligned ones "do not yield valid results" (SDM §17.2.5).
  write_dr0(A(&g_data[16]));  // g_data[16..23]
  write_dr7(bp(0, 3, 2));
  run_with_rdi(d_load, g_data + 8);  // reads g_data[24]: outside
  rt_check("read/write breakpoint, 8 bytes: outside the quadword", g_n, 0);
  run_with_rdi(d_load, g_data + 7);  // reads g_data[23]: inside
  write_dr7(0);
  expect_one("read/write breakpoint, 8 bytes: a read inside", A(d_load_after), 1);

  reset();
  write_dr0(A(&g_data[0]));
  write_dr7(bp(0, 1, 0));
  run_with_rdi(d_step_store, g_data);
  write_dr7(0);
  expect_one("single step and a write hit: one #DB, BS and B0", A(d_step_store_after), 0x4001);
}

static void mov_ss() {
  reset();
  run_with_rdi(d_movss_tf, g_data);
  expect_one("TF over MOV SS: the trap follows the next instruction", A(d_movss_tf_after), 0x4000);

  // A data breakpoint on MOV SS's operand, then INT n: the #DB is delivered
  // after the INT, at the first instruction of its handler (SDM Vol. 3A §6.8.3).
  reset();
  static volatile uint16_t ss_word;
  uint16_t ss;
  asm volatile("mov %%ss, %0" : "=r"(ss));
  ss_word = ss;
  static volatile unsigned int81;
  rt_set_handler(0x81, [](Frame*) { int81 = int81 + 1; return true; });
  write_dr0(A(&ss_word));
  write_dr7(bp(0, 3, 1));
  run_with_rdi(d_movss_int, &ss_word);
  write_dr7(0);
  expect_one("data hit on MOV SS, then INT: #DB at the INT handler's entry", A(rt_isr_stubs) + 16 * 0x81, 1);
  rt_check("the INT handler ran after the #DB", int81, 1);
}

static void icebp_gd_rf() {
  reset();
  if (rt_try([](void*) { d_icebp(); }, nullptr)) rt_printf("ICEBP: vector %llu\n", (unsigned long long)rt_fault.vec);
  else
    rt_printf("ICEBP: #DB count %u, rip %s, dr6 %llx\n", g_n, g_seen[0].rip == A(d_icebp_after) ? "after F1" : "WRONG",
              (unsigned long long)g_seen[0].dr6);

  reset();
  write_dr7(1ull << 13);  // GD
  run_with_rdi(d_mov_dr0, g_data);
  expect_one("general detect: a fault at the MOV DR, BD", A(d_mov_dr0), 0x2000);
  rt_check("general detect: GD cleared", read_dr7() & (1ull << 13), 0);

  // Faults push RF = 1 (except instruction breakpoints): SDM Vol. 3B §17.3.1.1.
  rt_expect("ud2", rt_try([](void*) { d_ud2(); }, nullptr), VEC_UD, 0, RT_ANY);
  rt_check("#UD: RF set in the pushed RFLAGS", (rt_fault.rflags >> 16) & 1, 1);
}

static void io_and_strings() {
  reset();
  write_cr4(read_cr4() | CR4_DE);
  write_dr0(0x80);
  write_dr7(bp(0, 2, 0));
  run_with_rdi(d_out80, g_data);
  write_dr7(0);
  write_cr4(read_cr4() & ~CR4_DE);
  expect_one("I/O breakpoint on port 0x80 (CR4.DE): a trap after OUT", A(d_out80_after), 1);

  reset();
  write_dr0(A(&g_data[5]));
  write_dr7(bp(0, 1, 0));
  uint64_t rcx = 0, rdi = 0;
  static volatile uint64_t left, at;
  rt_set_handler(1, [](Frame* f) {
    left = f->rcx;
    at = f->rdi;
    return on_db(f);
  });
  run_with_rdi(d_rep_stos, g_data);
  rt_set_handler(1, on_db);
  write_dr7(0);
  rcx = left, rdi = at;
  expect_one("REP STOSB: the trap after the iteration that hits", A(d_rep_stos_at), 1);
  rt_check("REP STOSB: RCX left", rcx, 10);
  rt_check("REP STOSB: RDI past the hit byte", rdi - A(g_data), 6);
}

void kmain() {
  rt_set_handler(1, on_db);
  fixed_bits();
  instruction_breakpoint();
  data_breakpoints();
  mov_ss();
  icebp_gd_rf();
  io_and_strings();
  reset();
}
