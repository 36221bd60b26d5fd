// modes: legacy 32-bit protected mode with segment bases and limits (run
// before long mode by pm32.S), compatibility mode inside IA-32e mode, and far
// CALL/JMP/RET between 64-bit and compatibility code (compat.S).
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "modes";

using namespace x86;
struct PmResult { uint32_t vec, err, eip, eax; };
extern "C" PmResult pm_res[13];
extern "C" char pm_at_1[], pm_at_2[], pm_at_4[], pm_at_6[], pm_at_8[], pm_at_10[], pm_based_ret[], pm_short_code[];
extern "C" uint64_t cm_farcall(), cm_lretq(), cm_ljmp(), cm_intr(), cm_base();
extern "C" void cm_limit(void*);
extern "C" char cm_int_next[], cm_limit_at[];
extern "C" uint64_t cm_out[4];

static constexpr uint32_t NO_FAULT = 0xFFFFFFFF, CODE_BASE = 0x100000;
static uint32_t L(const char* p) { return (uint32_t)(uint64_t)p; }

static void pm(unsigned i, const char* name, uint32_t vec, uint32_t err, uint32_t eip, uint32_t eax) {
  const PmResult& r = pm_res[i];
  bool ok = r.vec == vec && (vec == NO_FAULT || (r.err == err && r.eip == eip)) && r.eax == eax;
  if (ok) {
    rt_check(name, 1, 1);
  } else {
    rt_fail("%s: vec=%x err=%x eip=%x eax=%x want vec=%x err=%x eip=%x eax=%x", name, r.vec, r.err, r.eip,
            r.eax, vec, err, eip, eax);
  }
}

static void protected_mode() {
  pm(0, "pm32: write through ES base 2 MiB lands at 2 MiB + 0x10", NO_FAULT, 0, 0, 0x12345678);
  pm(1, "pm32: ES offset 0x1000 beyond limit 0xFFF -> #GP(0)", VEC_GP, 0, L(pm_at_1), 0);
  pm(2, "pm32: 4-byte read at 0xFFE crosses limit 0xFFF -> #GP(0)", VEC_GP, 0, L(pm_at_2), 0);
  pm(3, "pm32: 4-byte read at 0xFFC, last dword inside the limit", NO_FAULT, 0, 0, 0xCAFEBABE);
  pm(4, "pm32: write to read-only data segment -> #GP(0)", VEC_GP, 0, L(pm_at_4), 0);
  pm(5, "pm32: read from read-only data segment", NO_FAULT, 0, 0, 0x12345678);
  pm(6, "pm32: expand-down segment, offset 0x800 <= limit -> #GP(0)", VEC_GP, 0, L(pm_at_6), 0);
  pm(7, "pm32: expand-down segment, offset above limit", NO_FAULT, 0, 0, 0x12345678);
  pm(8, "pm32: access through null ES -> #GP(0)", VEC_GP, 0, L(pm_at_8), 0);
  pm(9, "pm32: FS base 2 MiB", NO_FAULT, 0, 0, 0x12345678);
  pm(10, "pm32: ES = selector beyond GDT limit -> #GP(sel)", VEC_GP, 0x1000, L(pm_at_10), 0);
  pm(11, "pm32: EIP in a based code segment is base-relative", NO_FAULT, 0, 0, L(pm_based_ret) - CODE_BASE);
  pm(12, "pm32: jmp beyond the code segment limit -> #GP(0)", VEC_GP, 0, L(pm_short_code) - CODE_BASE, 0);
}

static Frame g_seen;
static bool on_int45(Frame* f) {
  g_seen = *f;
  f->rax = 0x4545;  // visible in compat mode after IRETQ
  return true;
}

static void compatibility_mode() {
  rt_check("lcall m16:32 into compat: cs << 16 | (0x40 + inc eax)", cm_farcall(), (uint64_t)SEL_KCODE32 << 16 | 0x41);
  rt_check("lretq into compat, 16-bit pop, ljmp ptr16:32 back", cm_lretq(), (uint64_t)SEL_KCODE32 << 16 | 0x1234);
  rt_check("ljmp m16:32 into compat, back with ljmp", cm_ljmp(), 0x3333);
  rt_check("compat: cs", cm_out[0], SEL_KCODE32);
  rt_check("lcall ptr16:32 from compat to 64-bit: cs there", cm_out[1], SEL_KCODE64);
  rt_set_handler(0x45, on_int45);
  rt_check("int from compat: handler's rax seen after iretq", cm_intr(), 0x4545);
  rt_check("int from compat: saved cs", g_seen.cs, SEL_KCODE32);
  rt_check("int from compat: saved rip", g_seen.rip, (uint64_t)cm_int_next);
  rt_check("int from compat: saved ss", g_seen.ss, SEL_KDATA);
  rt_check("int from compat: rax at int", g_seen.rax & 0xFFFFFFFF, 0x4444);
  *(volatile uint32_t*)0x200010 = 0x600DDA7A;
  *(volatile uint32_t*)0x400010 = 0xBADDA7A;
  *(volatile uint32_t*)0x200010 = 0x600DDA7A;
  cm_base();
  rt_check("compat: ES base 2 MiB applies", cm_out[2], 0x600DDA7A);
  rt_check("64-bit: ES base ignored", cm_out[3], 0x600DDA7A);
  rt_expect("compat: ES limit 0xFFF, offset 0x1000 -> #GP(0)", rt_try(cm_limit, nullptr), VEC_GP, 0,
            (uint64_t)cm_limit_at);
  rt_check("compat: fault frame cs", rt_fault.cs, SEL_KCODE32);
  asm volatile("mov %0, %%es" ::"r"((uint64_t)SEL_KDATA));
}

extern "C" void kmain() {
  protected_mode();
  compatibility_mode();
}
