// Boot-test runtime: what every test kernel may call. Freestanding x86-64,
// ring 0, identity map of the first 1 GiB (2 MiB pages, supervisor, RWX).
//
// A kernel defines `extern "C" void kmain()`; the runtime prints the banner,
// calls it, then rt_finish() prints the summary and exits through
// isa-debug-exit (PASS when no check failed).
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/arch.h"
#include "tests/boot/rt/layout.h"

// ---- port I/O and privileged instructions (inline, no runtime state) ----
static inline void outb(uint16_t p, uint8_t v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outw(uint16_t p, uint16_t v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(p));
  return v;
}
static inline uint16_t inw(uint16_t p) {
  uint16_t v;
  asm volatile("inw %1, %0" : "=a"(v) : "Nd"(p));
  return v;
}
static inline uint32_t inl(uint16_t p) {
  uint32_t v;
  asm volatile("inl %1, %0" : "=a"(v) : "Nd"(p));
  return v;
}
// read_crN/write_crN and read_drN/write_drN
#define RT_SYSREG(kind, n)                                                    \
  static inline uint64_t read_##kind##n() {                                   \
    uint64_t v;                                                               \
    asm volatile("mov %%" #kind #n ", %0" : "=r"(v));                         \
    return v;                                                                 \
  }                                                                           \
  static inline void write_##kind##n(uint64_t v) { asm volatile("mov %0, %%" #kind #n ::"r"(v) : "memory"); }
RT_SYSREG(cr, 0)
RT_SYSREG(cr, 2)
RT_SYSREG(cr, 3)
RT_SYSREG(cr, 4)
RT_SYSREG(dr, 0)
RT_SYSREG(dr, 1)
RT_SYSREG(dr, 6)
RT_SYSREG(dr, 7)
#undef RT_SYSREG
static inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
  asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void invlpg(const volatile void* p) { asm volatile("invlpg (%0)" ::"r"(p) : "memory"); }
static inline uint64_t read_rflags() {
  uint64_t v;
  asm volatile("pushfq; popq %0" : "=r"(v));
  return v;
}
struct CpuidRegs { uint32_t a, b, c, d; };
static inline CpuidRegs cpuid(uint32_t leaf, uint32_t sub = 0) {
  CpuidRegs r;
  asm volatile("cpuid" : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d) : "a"(leaf), "c"(sub));
  return r;
}

// ---- serial output (COM1, polled) ----
extern "C" {
void rt_putc(char c);
void rt_puts(const char* s);
void rt_printf(const char* fmt, ...);  // %s %c %d %u %x %p, length l/ll/z, width, '0' pad
void rt_vprintf(const char* fmt, va_list ap);

// ---- self-checks: one transcript line each ----
// "ok   <name> = <got>" or "FAIL <name> = <got> want <want>" (values in hex).
bool rt_check(const char* name, uint64_t got, uint64_t want);
void rt_fail(const char* fmt, ...);      // an explicit failure line
[[noreturn]] void rt_finish();           // summary line, then exit PASS/FAIL
[[noreturn]] void rt_exit(uint32_t value);

// ---- interrupts and exceptions ----
struct Frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vec, err, rip, cs, rflags, rsp, ss;
};
// A handler returns true if it dealt with the trap (it may edit the frame).
typedef bool (*TrapHandler)(Frame* f);
void rt_set_handler(unsigned vec, TrapHandler h);
// Rewrites IDT gate `vec`: type 0xE = interrupt gate, 0xF = trap gate.
void rt_set_gate(unsigned vec, unsigned dpl, unsigned ist, unsigned type, bool present);
void rt_set_gate_target(unsigned vec, uint64_t target);  // default: rt_isr_stubs + 16*vec
extern uint8_t rt_isr_stubs[];

// Device interrupts through the local APIC (at 0xFEE00000, which the kernel
// maps): rt_irq_counter is a handler that counts, keeps the last vector and
// EOIs the local APIC unless rt_irq_eoi is false.
extern volatile unsigned rt_irq_count;
extern volatile uint64_t rt_irq_vec;
extern bool rt_irq_eoi;
bool rt_irq_counter(Frame* f);

// What the last unwinding trap saw (filled when rt_try/rt_run_user return 1).
struct FaultInfo {
  uint64_t vec, err, rip, cs, rflags, rsp, ss, cr2, rax;
};
extern FaultInfo rt_fault;
int rt_try(void (*fn)(void*), void* arg);
// Judges the outcome of rt_try/rt_run_user (`caught` = its return value):
// one line "ok|FAIL name: vec=.. err=.. rip=..". vec == RT_NONE means "no
// fault expected"; rip == RT_ANY skips the RIP comparison.
#define RT_NONE (~0ull)
#define RT_ANY (~0ull)
bool rt_expect(const char* name, int caught, uint64_t vec, uint64_t err, uint64_t rip);
// Same for an expected #PF, also checking CR2.
bool rt_expect_pf(const char* name, int caught, uint64_t err, uint64_t cr2, uint64_t rip);
int rt_run_user(uint64_t rip, uint64_t rsp, uint64_t rflags, uint64_t rdi);

// ---- descriptor tables ----
struct Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];  // IST1..IST7 in ist[0..6] (SDM Vol. 3A §8.7, fig. 8-11)
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
  uint8_t iomap[8192 + 1];  // 1 = port denied in ring 3 when CPL > IOPL
} __attribute__((packed));
static_assert(__builtin_offsetof(Tss, iomap_base) == 102, "64-bit TSS layout");
extern Tss rt_tss;
extern uint64_t rt_gdt[];
void rt_load_tr(uint32_t limit);  // rewrites the TSS descriptor with `limit`, then LTR
uint64_t rt_ist_top(unsigned i);        // address of IST stack i's top
uint64_t rt_stack0_top();               // TSS.RSP0 stack top

// ---- paging (4 KiB mappings outside the 1 GiB identity map) ----
extern uint64_t rt_pml4[512], rt_pdpt[512], rt_pd[512];
void* rt_alloc_page();                            // zeroed, identity-mapped, 4 KiB aligned
uint64_t* rt_pte(uint64_t va, int level);         // entry at level 4..1, creates tables (P|W|U)
void rt_map(uint64_t va, uint64_t pa, uint64_t flags);  // 4 KiB PTE = pa | flags, then INVLPG
void rt_user_2m(uint64_t pa, bool user);          // sets U on the identity 2 MiB page with pa

// ---- misc ----
void* memset(void* d, int c, size_t n);
void* memcpy(void* d, const void* s, size_t n);
int memcmp(const void* a, const void* b, size_t n);
extern uint32_t rt_mb_magic, rt_mb_info;
void kmain();  // provided by each kernel
extern const char rt_kernel_name[];  // provided by each kernel
}

// Deterministic pseudo-random numbers (xorshift64*), same on every run.
struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545F4914F6CDD1Dull;
  }
};

// Polls `cond` with interrupts open one instruction at a time (STI's shadow
// covers the NOP): true once it holds, false after 50 M tries.
template <class F>
bool rt_wait_for(F cond) {
  for (uint64_t i = 0; i < 50000000; i++) {
    if (cond()) return true;
    asm volatile("sti; nop; cli");
  }
  return false;
}
