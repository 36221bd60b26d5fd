// reset: one of the machine's reset or power-off paths, chosen by the
// multiboot command line ("92", "cf9", "kbc", "kbcout", "s5", "triple"). QEMU
// with -no-reboot and slotlab must both stop there: the transcript ends with
// the "taking the path" line and neither prints the line after it.
// "reboot-PATH": the machine restarts (QEMU without -no-reboot, slotlab
// --reboot) and boots the kernel again, which finds the mark it left in CMOS
// NVRAM (battery-backed: a reset keeps it), says so, and passes.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "reset";

static const char* cmdline() {
  const uint32_t* mbi = (const uint32_t*)(uint64_t)rt_mb_info;
  if (!(mbi[0] & (1u << 2))) return "";
  const char* s = (const char*)(uint64_t)mbi[4];
  // QEMU passes "<kernel path> <arguments>": the last word is the path.
  const char* last = s;
  for (const char* p = s; *p; p++)
    if (*p == ' ' && p[1]) last = p + 1;
  return last;
}

static bool is(const char* a, const char* b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

static uint8_t cmos(uint8_t reg) { return outb(0x70, reg), inb(0x71); }
static void cmos_write(uint8_t reg, uint8_t v) { outb(0x70, reg), outb(0x71, v); }
static constexpr uint8_t kMarkReg = 0x48, kMark = 0xA5;  // an NVRAM byte neither machine uses

static void take(const char* how) {
  rt_printf("taking the path '%s'\n", how);
  if (is(how, "92")) outb(0x92, inb(0x92) | 1);
  else if (is(how, "cf9")) outb(0xCF9, 0x06);
  else if (is(how, "kbc")) outb(0x64, 0xFE);
  else if (is(how, "kbcout")) outb(0x64, 0xD1), outb(0x60, 0x02);
  else if (is(how, "s5")) {
    outb(0xB2, 0xF1);  // ACPI_ENABLE
    outw(0x604, 1 << 13);  // PM1a_CNT: SLP_EN, sleep type 0 (S5)
  } else if (is(how, "triple")) {
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = {0, 0};
    asm volatile("lidt %0; int3" ::"m"(idtr));  // #GP, then #DF, through an empty IDT: shutdown
  }
}

void kmain() {
  const char* how = cmdline();
  if (how[0] == 'r' && how[1] == 'e' && how[2] == 'b') {  // "reboot-PATH"
    const char* path = how + 7;
    if (cmos(kMarkReg) == kMark) {
      cmos_write(kMarkReg, 0);
      rt_printf("booted again after '%s'\n", path);
      return;
    }
    rt_printf("first boot\n");
    cmos_write(kMarkReg, kMark);
    take(path);
    for (int i = 0; i < 1000000; i++) asm volatile("pause");
    cmos_write(kMarkReg, 0);
    rt_fail("still running after '%s'", path);
    return;
  }
  take(how);
  for (int i = 0; i < 1000000; i++) asm volatile("pause");
  rt_fail("still running after '%s'", how);
}
