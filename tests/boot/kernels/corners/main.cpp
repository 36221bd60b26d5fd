// corners: small CPU rules real kernels run into -- the extended-topology
// CPUID leaves as a kernel walks them (SDM Vol. 2A CPUID leaf 0BH/1FH, Vol. 3A
// §9.9.1), INVLPG of a non-canonical address (a no-op: Vol. 2A INVLPG), and
// LTR/LLDT of a 16-byte descriptor whose upper half is not right (#GP with the
// selector: Vol. 2A LTR, LLDT).
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "corners";

using namespace x86;

// Walks leaf `leaf` the way Linux's detect_extended_topology does: levels
// until type 0; prints each level's type, its logical-processor count and
// whether EDX (the x2APIC ID) agrees with the initial APIC ID of leaf 1.
static void topology(uint32_t leaf) {
  if (cpuid(0).a < leaf) {
    rt_printf("leaf %x: beyond the maximum basic leaf\n", leaf);
    return;
  }
  const uint32_t apic_id = cpuid(1).b >> 24;
  unsigned level = 0;
  for (; level < 8; level++) {
    const CpuidRegs r = cpuid(leaf, level);
    const unsigned type = (r.c >> 8) & 0xFF;
    if (type == 0) break;
    rt_printf("leaf %x level %u: type %u, logical processors %u, ecx[7:0] %u, x2apic id %s\n", leaf, level, type,
              r.b & 0xFFFF, r.c & 0xFF, r.d == apic_id ? "= apic id" : "differs");
  }
  rt_printf("leaf %x: %u levels\n", leaf, level);
}

static void do_invlpg(void* p) { asm volatile("invlpg (%0)" ::"r"(p) : "memory"); }

static uint16_t g_sel;
static void do_ltr(void*) { asm volatile("ltr %w0" ::"r"(g_sel)); }
static void do_lldt(void*) { asm volatile("lldt %w0" ::"r"(g_sel)); }
// A 16-byte system descriptor at SEL_FREE: type, base, and the upper half's extra bits.
static void sys_desc(unsigned type, uint64_t base, uint32_t upper_extra) {
  rt_gdt[SEL_FREE / 8] = 0x67 | (base & 0xFFFFFF) << 16 | (uint64_t)type << 40 | 1ull << 47 | (base >> 24 & 0xFF) << 56;
  rt_gdt[SEL_FREE / 8 + 1] = (base >> 32 & 0xFFFFFFFF) | (uint64_t)upper_extra << 32;
  g_sel = SEL_FREE;
}

void kmain() {
  topology(0xB);
  const CpuidRegs l1 = cpuid(1);
  // EBX[23:16] is valid only with CPUID.1:EDX.HTT (bit 28).
  rt_printf("leaf 1: HTT %u\n", (l1.d >> 28) & 1);
  if ((l1.d >> 28) & 1) rt_printf("leaf 1: logical processors per package %u\n", (l1.b >> 16) & 0xFF);

  rt_expect("invlpg of a non-canonical address: no fault", rt_try(do_invlpg, (void*)0x0000800000000000ull), RT_NONE,
            0, 0);
  rt_expect("invlpg of a canonical address", rt_try(do_invlpg, (void*)0x100000), RT_NONE, 0, 0);

  sys_desc(0x9, 0x0000800000001000ull, 0);
  rt_expect("ltr: TSS base not canonical -> #GP(sel)", rt_try(do_ltr, nullptr), VEC_GP, SEL_FREE, RT_ANY);
  sys_desc(0x9, 0x1000, 0x100);
  rt_expect("ltr: upper half type field not 0 -> #GP(sel)", rt_try(do_ltr, nullptr), VEC_GP, SEL_FREE, RT_ANY);
  sys_desc(0x2, 0x0000800000001000ull, 0);
  rt_expect("lldt: LDT base not canonical -> #GP(sel)", rt_try(do_lldt, nullptr), VEC_GP, SEL_FREE, RT_ANY);
  sys_desc(0x2, 0x1000, 0);
  rt_expect("lldt: a good LDT descriptor", rt_try(do_lldt, nullptr), RT_NONE, 0, 0);
  g_sel = 0;
  rt_try(do_lldt, nullptr);
  rt_gdt[SEL_FREE / 8] = rt_gdt[SEL_FREE / 8 + 1] = 0;
}
