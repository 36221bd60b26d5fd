// reset: one of the machine's reset or power-off paths, chosen by the
// multiboot command line ("92", "cf9", "kbc", "kbcout", "s5"). QEMU with
// -no-reboot and slotlab must both stop there: the transcript ends with the
// "taking the path" line and neither prints the line after it.
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

void kmain() {
  const char* how = cmdline();
  rt_printf("taking the path '%s'\n", how);
  if (is(how, "92")) outb(0x92, inb(0x92) | 1);
  else if (is(how, "cf9")) outb(0xCF9, 0x06);
  else if (is(how, "kbc")) outb(0x64, 0xFE);
  else if (is(how, "kbcout")) outb(0x64, 0xD1), outb(0x60, 0x02);
  else if (is(how, "s5")) {
    outb(0xB2, 0xF1);  // ACPI_ENABLE
    outw(0x604, 1 << 13);  // PM1a_CNT: SLP_EN, sleep type 0 (S5)
  }
  for (int i = 0; i < 1000000; i++) asm volatile("pause");
  rt_fail("still running after '%s'", how);
}
