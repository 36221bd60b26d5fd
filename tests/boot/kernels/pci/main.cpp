// pci: configuration mechanism #1 as a kernel's first PCI scan uses it --
// CONFIG_ADDRESS reads back, the i440FX host bridge at 00:00.0 and the PIIX3
// ISA bridge at 00:01.0 (their headers' identity words), an absent function
// reading all-ones, the read-only identity, a writable register, and the
// reset control register that shares the port range (a byte at 0xCF9); the
// PIIX4 power-management function at 00:01.3 and the ACPI PM block it names.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "pci";

static uint32_t cfg_read(unsigned dev, unsigned fn, unsigned reg) {
  outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
  return inl(0xCFC);
}
static void cfg_write(unsigned dev, unsigned fn, unsigned reg, uint32_t v) {
  outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
  outl(0xCFC, v);
}

void kmain() {
  outl(0xCF8, 0x80000A10);
  rt_printf("CONFIG_ADDRESS reads back %x\n", inl(0xCF8));
  for (unsigned dev = 0; dev < 2; dev++) {
    const uint32_t id = cfg_read(dev, 0, 0), cls = cfg_read(dev, 0, 8), hdr = cfg_read(dev, 0, 0xC);
    rt_printf("00:%02x.0 id %x class/rev %x header type %x\n", dev, id, cls, (hdr >> 16) & 0xFF);
    bool bars_zero = true;
    for (unsigned b = 0; b < 6; b++) bars_zero &= cfg_read(dev, 0, 0x10 + 4 * b) == 0;
    rt_check("no BARs", bars_zero, 1);
  }
  rt_check("00:1f.0 absent: all-ones", cfg_read(0x1F, 0, 0), 0xFFFFFFFFu);
  rt_check("bus 1 absent: all-ones", (outl(0xCF8, 0x80010000u), inl(0xCFC)), 0xFFFFFFFFu);
  cfg_write(0, 0, 0, 0x12345678);
  rt_check("the identity is read-only", cfg_read(0, 0, 0), 0x12378086u);
  cfg_write(1, 0, 0x3C, 0x0000000B);
  rt_check("interrupt line is writable", cfg_read(1, 0, 0x3C) & 0xFF, 0xB);
  cfg_write(1, 0, 0x3C, 0);
  rt_printf("reset control (byte at 0xCF9) = %x\n", inb(0xCF9));
  rt_check("CONFIG_ADDRESS unchanged by the byte access", inl(0xCF8), 0x80000800u | 0x3C);
  // 00:01.3: identity, interrupt, PMBA/PMREGMISC, SMBus base; the PM timer at PMBA + 8 runs.
  const unsigned regs[] = {0x00, 0x04, 0x08, 0x0C, 0x2C, 0x3C, 0x40, 0x58, 0x80, 0x90, 0xD0};
  for (unsigned r : regs) rt_printf("00:01.3 [%02x] = %x\n", r, cfg_read(1, 3, r));
  const uint16_t pmba = cfg_read(1, 3, 0x40) & 0xFFC0;
  const uint32_t t0 = inl(pmba + 8) & 0xFFFFFF;
  uint32_t t1 = t0;
  for (int i = 0; i < 1000000 && t1 == t0; i++) t1 = inl(pmba + 8) & 0xFFFFFF;
  rt_check("the PM timer at PMBA + 8 runs", t1 != t0, 1);
}
