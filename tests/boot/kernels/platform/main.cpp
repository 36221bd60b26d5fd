// platform: what a kernel written for QEMU's `pc` machine finds at entry and
// uses first -- the local APIC (xAPIC registers and the IA32_APIC_BASE MSR),
// unassigned physical addresses, and fw_cfg's selector protocol.
#include "tests/boot/rt/fw_cfg.h"

extern "C" const char rt_kernel_name[] = "platform";

using namespace x86;

static constexpr uint64_t kApic = 0xFEE00000;
static volatile uint32_t* apic_reg(unsigned off) { return (volatile uint32_t*)(kApic + off); }

void kmain() {
  // The xAPIC page: identity, uncached.
  rt_map(kApic, kApic, PTE_P | PTE_W | PTE_PCD);
  rt_map(0xE0000000, 0xE0000000, PTE_P | PTE_W | PTE_PCD);
  const uint64_t base = rdmsr(0x1B);
  rt_printf("apic_base msr = %llx\n", (unsigned long long)base);
  const unsigned regs[] = {0x20, 0x30, 0x80, 0xA0, 0xD0, 0xE0, 0xF0, 0x280, 0x300, 0x310,
                           0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x390, 0x3E0};
  for (unsigned r : regs) rt_printf("apic[%x] = %x\n", r, *apic_reg(r));
  rt_printf("unassigned 0xe0000000 = %x\n", *(volatile uint32_t*)0xE0000000ull);
  // fw_cfg: selector 0 = signature, 1 = id.
  outw(0x510, 0);
  char sig[5] = {};
  for (int i = 0; i < 4; i++) sig[i] = (char)inb(0x511);
  rt_printf("fw_cfg signature = %s\n", sig);
  outw(0x510, 1);
  uint32_t id = 0;
  for (int i = 0; i < 4; i++) id |= (uint32_t)inb(0x511) << (8 * i);
  rt_printf("fw_cfg id = %x\n", id);
  outw(0x510, 5);
  rt_printf("fw_cfg nb_cpus = %x\n", inb(0x511) | inb(0x511) << 8);
  rt_printf("inw 0x510 = %x\n", inw(0x510));
  // The file directory (tests/boot/rt/fw_cfg.h).
  uint32_t e820_size = 0;
  const uint32_t e820_sel = fw_cfg_find("etc/e820", &e820_size);
  rt_check("fw_cfg has etc/e820", e820_sel != 0, 1);
  // RAM entries only: QEMU also reserves the AMD HyperTransport window
  // (0xFD00000000, 12 GiB) because its `max` CPU reports AuthenticAMD;
  // slotlab's reports GenuineIntel, for which QEMU adds no such entry.
  outw(0x510, (uint16_t)e820_sel);
  for (uint32_t i = 0; i + 20 <= e820_size; i += 20) {
    uint64_t addr = 0, len = 0;
    uint32_t type = 0;
    for (int k = 0; k < 8; k++) addr |= (uint64_t)inb(0x511) << (8 * k);
    for (int k = 0; k < 8; k++) len |= (uint64_t)inb(0x511) << (8 * k);
    for (int k = 0; k < 4; k++) type |= (uint32_t)inb(0x511) << (8 * k);
    if (type == 1) rt_printf("  e820 %llx +%llx type %u\n", (unsigned long long)addr, (unsigned long long)len, type);
  }
  // Past the end of an item: zeros.
  rt_printf("past the end = %x\n", inb(0x511));
  // The same file through the DMA interface: select + read into a buffer.
  static volatile struct { uint32_t control, length; uint64_t address; } __attribute__((aligned(16))) dma;
  static uint8_t buf[64 * 20];
  dma.control = __builtin_bswap32((e820_sel << 16) | 0x08 | 0x02);
  dma.length = __builtin_bswap32(e820_size);
  dma.address = __builtin_bswap64((uint64_t)buf);
  outl(0x514, 0);
  outl(0x518, __builtin_bswap32((uint32_t)(uint64_t)&dma));
  uint64_t dma_ram = 0;
  for (uint32_t i = 0; i + 20 <= e820_size; i += 20)
    if (*(uint32_t*)(buf + i + 16) == 1) dma_ram += *(uint64_t*)(buf + i + 8);
  rt_printf("dma control after = %x, RAM in the map read by DMA = %llx\n", __builtin_bswap32(dma.control),
            (unsigned long long)dma_ram);
  uint8_t dsig[8];
  for (int i = 0; i < 8; i++) dsig[i] = inb(0x514 + i);
  rt_printf("dma port signature = %c%c%c%c%c%c%c%c\n", dsig[0], dsig[1], dsig[2], dsig[3], dsig[4], dsig[5], dsig[6], dsig[7]);
  outw(0x510, 0x14);
  uint32_t cl = 0;
  for (int i = 0; i < 4; i++) cl |= (uint32_t)inb(0x511) << (8 * i);
  rt_printf("fw_cfg cmdline size = %u\n", cl);
  outw(0x510, 3);
  uint64_t ram = 0;
  for (int i = 0; i < 8; i++) ram |= (uint64_t)inb(0x511) << (8 * i);
  rt_printf("fw_cfg ram = %llx\n", (unsigned long long)ram);
  rt_printf("port 0x92 = %x, kbc status = %x, port 0xcf9 = %x\n", inb(0x92), inb(0x64), inb(0xCF9));
  const CpuidRegs c1 = cpuid(1);
  // (x2APIC is not compared: QEMU 7.2's TCG does not offer it; slotlab does.)
  rt_printf("cpuid.1 edx.apic = %x ebx[31:24] = %x\n", (c1.d >> 9) & 1, c1.b >> 24);
}
