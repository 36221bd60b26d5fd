// ioapic: the I/O APIC as a kernel that leaves the 8259 behind uses it --
// ID, version and the reset state of the redirection table, the PIT's IRQ 0
// on pin 2, edge-triggered delivery and masking, a level-triggered pin (the
// RTC's IRQ 8, high until register C is read) with remote IRR held until the
// local APIC's EOI, and delivery to a destination that is not this CPU.
// Only timing-independent facts are printed.
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "ioapic";

using namespace x86;

static constexpr uint64_t kApic = 0xFEE00000, kIoApic = 0xFEC00000;
static uint32_t lapic(unsigned off) { return *(volatile uint32_t*)(kApic + off); }
static void lapic_eoi() { *(volatile uint32_t*)(kApic + 0xB0) = 0; }
static uint32_t io_read(uint32_t reg) {
  *(volatile uint32_t*)kIoApic = reg;
  return *(volatile uint32_t*)(kIoApic + 0x10);
}
static void io_write(uint32_t reg, uint32_t v) {
  *(volatile uint32_t*)kIoApic = reg;
  *(volatile uint32_t*)(kIoApic + 0x10) = v;
}
static void route(unsigned pin, uint32_t low, uint8_t dest = 0) {
  io_write(0x11 + 2 * pin, (uint32_t)dest << 24);
  io_write(0x10 + 2 * pin, low);
}
static uint8_t cmos(uint8_t reg) { return outb(0x70, reg), inb(0x71); }
static void cmos_write(uint8_t reg, uint8_t v) { outb(0x70, reg), outb(0x71, v); }

void kmain() {
  rt_map(kApic, kApic, PTE_P | PTE_W | PTE_PCD);
  rt_map(kIoApic, kIoApic, PTE_P | PTE_W | PTE_PCD);
  rt_set_handler(0x38, rt_irq_counter);
  rt_set_handler(0x39, rt_irq_counter);
  rt_set_handler(0x3A, rt_irq_counter);
  outb(0x21, 0xFF), outb(0xA1, 0xFF);  // the 8259s out of the way

  rt_printf("ioapic id = %x, version = %x, arbitration = %x\n", io_read(0), io_read(1), io_read(2));
  bool all_masked = true;
  for (unsigned pin = 0; pin < 24; pin++) all_masked &= io_read(0x10 + 2 * pin) == 0x10000 && io_read(0x11 + 2 * pin) == 0;
  rt_check("every entry masked at entry", all_masked, 1);
  rt_printf("ioselect reads back = %x\n", (*(volatile uint32_t*)kIoApic = 0x12, *(volatile uint32_t*)kIoApic));

  // PIT IRQ 0 on pin 2, edge, fixed, to APIC 0.
  outb(0x43, 0x34), outb(0x40, 1193 & 0xFF), outb(0x40, 1193 >> 8);
  route(2, 0x38);
  rt_irq_count = 0;
  const bool pit = rt_wait_for([] { return rt_irq_count >= 3; });
  rt_check("PIT through pin 2: interrupts", pit, 1);
  rt_check("PIT through pin 2: vector", rt_irq_vec, 0x38);
  rt_check("pin 2 entry reads back", io_read(0x14), 0x38);
  route(2, 0x10038);
  // An edge accepted before the mask may still be pending in the local APIC:
  // let it in before counting (QEMU runs the PIT in real time).
  for (int i = 0; i < 1000; i++) asm volatile("sti; nop; cli");
  rt_irq_count = 0;
  for (int i = 0; i < 2000000; i++) asm volatile("sti; nop; cli");
  rt_check("pin 2 masked: nothing", rt_irq_count, 0);
  // Pin 0 is not the PIT.
  route(0, 0x39);
  for (int i = 0; i < 2000000; i++) asm volatile("sti; nop; cli");
  rt_check("pin 0: nothing (IRQ 0 is on pin 2)", rt_irq_count, 0);
  route(0, 0x10039);

  // Destination that is not this CPU (physical ID 3): nothing arrives.
  route(2, 0x38, 3);
  for (int i = 0; i < 2000000; i++) asm volatile("sti; nop; cli");
  rt_check("pin 2 to APIC 3: nothing", rt_irq_count, 0);
  route(2, 0x10038);

  // RTC periodic interrupt on pin 8, level-triggered: remote IRR holds it
  // until the EOI; the line stays high until register C is read.
  cmos_write(0x0A, (cmos(0x0A) & 0xF0) | 0x06);  // 1024 Hz
  cmos_write(0x0B, cmos(0x0B) | 0x40);           // PIE
  (void)cmos(0x0C);
  route(8, 0x3A | (1u << 15));
  rt_irq_eoi = false;
  rt_irq_count = 0;
  const bool rtc = rt_wait_for([] { return rt_irq_count >= 1; });
  rt_check("RTC level: delivered", rtc, 1);
  rt_check("RTC level: vector", rt_irq_vec, 0x3A);
  rt_check("RTC level: remote IRR set", (io_read(0x20) >> 14) & 1, 1);
  rt_check("RTC level: in the local APIC's TMR", (lapic(0x180 + (0x3A / 32) * 16) >> (0x3A % 32)) & 1, 1);
  for (int i = 0; i < 2000000; i++) asm volatile("sti; nop; cli");
  rt_check("RTC level: not again before the EOI", rt_irq_count, 1);
  lapic_eoi();  // line still high (C not read): delivered again
  const bool again = rt_wait_for([] { return rt_irq_count >= 2; });
  rt_check("RTC level: again after the EOI while asserted", again, 1);
  // Periodic interrupts off first, then lower the line: QEMU runs the RTC in
  // real time, and a next 1024 Hz edge between reading C and the EOI (a
  // descheduled vCPU on a loaded host) would raise the line again and have
  // the EOI deliver it anew, remote IRR set.
  cmos_write(0x0B, cmos(0x0B) & ~0x40);
  (void)cmos(0x0C);  // lower the line
  lapic_eoi();
  rt_check("RTC level: remote IRR clear after the EOI", (io_read(0x20) >> 14) & 1, 0);
  route(8, 0x1003A);
}
