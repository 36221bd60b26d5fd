// pkeys: protection keys as a kernel uses them (SDM Vol. 3A §4.6.2, §4.7;
// Vol. 2B RDPKRU, WRPKRU): CPUID bits, RDPKRU/WRPKRU rules, access-disable
// and write-disable for user-mode pages (PKRU, CR4.PKE) -- also binding
// supervisor-mode accesses, and CR0.WP deciding supervisor writes -- the PK
// bit in the #PF error code, a PKRU change taking effect without any TLB
// invalidation, and supervisor-mode pages under IA32_PKRS (CR4.PKS).
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "pkeys";

using namespace x86;

// PML4 slot 1: rt_pte builds its tables with U = 1 (slot 0 holds the supervisor identity map).
static constexpr uint64_t kUserVa = 0x8000000000ull, kSupVa = 0x8000001000ull;
static constexpr unsigned kKey = 6;
static constexpr uint64_t kCr4Pke = 1ull << 22, kCr4Pks = 1ull << 24;

static void wrpkru(uint32_t v, uint32_t ecx = 0) { asm volatile("wrpkru" ::"a"(v), "c"(ecx), "d"(0) : "memory"); }
static uint32_t rdpkru() {
  uint32_t a, d;
  asm volatile("rdpkru" : "=a"(a), "=d"(d) : "c"(0));
  return a;
}
static void do_read(void* p) { (void)*(volatile uint64_t*)p; }
static void do_write(void* p) { *(volatile uint64_t*)p = 1; }
static void do_rdpkru(void*) { rdpkru(); }
static void do_wrpkru_ecx(void*) { wrpkru(0, 1); }

static void access(const char* name, void (*fn)(void*), uint64_t va, uint64_t err) {
  if (err == RT_NONE) rt_expect(name, rt_try(fn, (void*)va), RT_NONE, 0, 0);
  else rt_expect_pf(name, rt_try(fn, (void*)va), err, va, RT_ANY);
}

void kmain() {
  const CpuidRegs c7 = cpuid(7);
  const bool pku = (c7.c >> 3) & 1, pks = (c7.c >> 31) & 1;
  rt_check("cpuid.7 ecx: PKU", pku, 1);
  rt_check("cpuid.7 ecx: OSPKE with CR4.PKE = 0", (c7.c >> 4) & 1, 0);
  if (!pku) return;

  rt_expect("rdpkru with CR4.PKE = 0 -> #UD", rt_try(do_rdpkru, nullptr), VEC_UD, 0, RT_ANY);
  write_cr4(read_cr4() | kCr4Pke);
  rt_check("cpuid.7 ecx: OSPKE with CR4.PKE = 1", (cpuid(7).c >> 4) & 1, 1);
  rt_check("PKRU at reset", rdpkru(), 0);
  rt_expect("wrpkru with ECX = 1 -> #GP(0)", rt_try(do_wrpkru_ecx, nullptr), VEC_GP, 0, RT_ANY);

  // A user-mode page with key 6 and a supervisor-mode page with key 6.
  void* page = rt_alloc_page();
  rt_map(kUserVa, (uint64_t)page, PTE_P | PTE_W | PTE_U | (uint64_t)kKey << 59);
  rt_map(kSupVa, (uint64_t)page, PTE_P | PTE_W | (uint64_t)kKey << 59);

  access("user page, PKRU 0: read", do_read, kUserVa, RT_NONE);
  wrpkru(1u << (2 * kKey));  // AD6; no INVLPG: the TLB entry just used is checked again
  access("user page, AD: supervisor read -> #PF P|PK", do_read, kUserVa, PF_P | PF_PK);
  access("user page, AD: supervisor write -> #PF P|W|PK", do_write, kUserVa, PF_P | PF_W | PF_PK);
  access("supervisor page, AD in PKRU: read (PKRU binds user pages only)", do_read, kSupVa, RT_NONE);
  wrpkru(2u << (2 * kKey));  // WD6
  access("user page, WD: read", do_read, kUserVa, RT_NONE);
  const uint64_t cr0 = read_cr0();
  write_cr0(cr0 | CR0_WP);
  access("user page, WD, CR0.WP = 1: supervisor write -> #PF P|W|PK", do_write, kUserVa, PF_P | PF_W | PF_PK);
  write_cr0(read_cr0() & ~CR0_WP);
  access("user page, WD, CR0.WP = 0: supervisor write", do_write, kUserVa, RT_NONE);
  wrpkru(~(3u << (2 * kKey)));  // every other key denied: key 6 alone decides
  access("user page, other keys denied: write", do_write, kUserVa, RT_NONE);
  wrpkru(0);
  write_cr4(read_cr4() & ~kCr4Pke);

  rt_check("cpuid.7 ecx: PKS", pks, 1);
  if (pks) {
    write_cr4(read_cr4() | kCr4Pks);
    wrmsr(0x6E1, 1u << (2 * kKey));  // IA32_PKRS: AD6
    access("supervisor page, PKRS AD: read -> #PF P|PK", do_read, kSupVa, PF_P | PF_PK);
    access("user page, PKRS AD: read (PKRS binds supervisor pages only)", do_read, kUserVa, RT_NONE);
    wrmsr(0x6E1, 2u << (2 * kKey));  // WD6
    write_cr0(cr0 | CR0_WP);
    access("supervisor page, PKRS WD, CR0.WP = 1: write -> #PF P|W|PK", do_write, kSupVa, PF_P | PF_W | PF_PK);
    write_cr0(cr0 & ~CR0_WP);
    access("supervisor page, PKRS WD, CR0.WP = 0: write", do_write, kSupVa, RT_NONE);
    wrmsr(0x6E1, 0);
    access("supervisor page, PKRS 0: write", do_write, kSupVa, RT_NONE);
    write_cr4(read_cr4() & ~kCr4Pks);
  }
  write_cr0(cr0);
  rt_map(kUserVa, 0, 0);
  rt_map(kSupVa, 0, 0);
}
