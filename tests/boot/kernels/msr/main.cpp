// msr: the model-specific registers kernels read and write during boot,
// probed with rdmsr/wrmsr under a #GP catcher: SYSENTER_CS/ESP/EIP,
// MISC_ENABLE, MCG_CAP/MCG_STATUS, PLATFORM_ID, BIOS_SIGN_ID, the MTRRs
// (capabilities, default type, fixed and variable ranges), TSC_ADJUST. Values
// that depend on the CPU model (QEMU's `max` is not SlotLab's model: MISC_ENABLE
// beyond fast strings, MCG_CAP, the microcode revision) are checked for
// existence and consistency, not printed.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "msr";

struct Probe { uint32_t msr; uint64_t value; };
static void do_rdmsr(void* p) { ((Probe*)p)->value = rdmsr(((Probe*)p)->msr); }
static void do_wrmsr(void* p) { wrmsr(((Probe*)p)->msr, ((Probe*)p)->value); }

static bool read(uint32_t msr, uint64_t& v) {
  Probe p{msr, 0};
  if (rt_try(do_rdmsr, &p)) return false;
  v = p.value;
  return true;
}
static void show(const char* name, uint32_t msr) {
  uint64_t v = 0;
  if (!read(msr, v)) rt_printf("%s (%x): #GP\n", name, msr);
  else rt_printf("%s (%x) = %llx\n", name, msr, (unsigned long long)v);
}

void kmain() {
  show("SYSENTER_CS", 0x174);
  show("SYSENTER_ESP", 0x175);
  show("SYSENTER_EIP", 0x176);
  uint64_t v = 0;
  rt_check("MISC_ENABLE: fast strings on", read(0x1A0, v) && (v & 1), 1);
  const bool mca = (cpuid(1).d >> 14) & 1;
  rt_check("MCG_CAP readable", read(0x179, v), 1);
  rt_check("MCG_CAP: banks only with CPUID.MCA", mca || (v & 0xFF) == 0, 1);
  show("MCG_STATUS", 0x17A);
  show("PLATFORM_ID", 0x17);
  rt_check("BIOS_SIGN_ID readable", read(0x8B, v), 1);
  show("MTRRcap", 0xFE);
  show("MTRR_DEF_TYPE", 0x2FF);
  show("MTRR_FIX64K_00000", 0x250);
  show("MTRR_FIX16K_80000", 0x258);
  show("MTRR_FIX16K_A0000", 0x259);
  for (uint32_t m = 0x268; m <= 0x26F; m++) show("MTRR_FIX4K", m);
  for (uint32_t m = 0x200; m < 0x210; m++) show("MTRR_PHYS", m);
  show("TSC_ADJUST", 0x3B);
  const CpuidRegs c1 = cpuid(1);
  rt_printf("cpuid.1 edx: mtrr %x sep %x\n", (c1.d >> 12) & 1, (c1.d >> 11) & 1);
  Probe w{0x174, 0x10};
  rt_printf("wrmsr SYSENTER_CS: %s\n", rt_try(do_wrmsr, &w) ? "#GP" : "ok");
  show("SYSENTER_CS", 0x174);
  // SDM Vol. 3A §11.11.2.1: reserved bits of MTRR_DEF_TYPE #GP (QEMU accepts: D8).
  Probe bad{0x2FF, 0xC06 | 1ull << 20};
  rt_check("wrmsr MTRR_DEF_TYPE reserved bit 20 -> #GP", rt_try(do_wrmsr, &bad), 1);
  Probe badtype{0x2FF, 0xC02};
  rt_check("wrmsr MTRR_DEF_TYPE type 2 (reserved) -> #GP", rt_try(do_wrmsr, &badtype), 1);
  show("MTRR_DEF_TYPE", 0x2FF);
  // TSC_ADJUST follows a write to the TSC (SDM Vol. 3B §17.17.3).
  uint64_t adj0 = 0, adj1 = 0;
  const bool has_adjust = read(0x3B, adj0);
  Probe tsc{0x10, 0};
  rt_try(do_rdmsr, &tsc);
  tsc.value += 1000000;
  rt_try(do_wrmsr, &tsc);
  read(0x3B, adj1);
  rt_check("TSC_ADJUST moves with a TSC write", has_adjust && adj1 - adj0 >= 1000000 - 100000 && adj1 - adj0 <= 1000000, 1);
}
