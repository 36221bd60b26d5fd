#include "guest/kernel/blkdev.h"

#include "guest/kernel/task.h"
#include "guest/kernel/x86.h"

BlkDevice g_blkdev;

namespace {
volatile bool g_irq_seen;
Task* g_waiter;  // the driver's task asleep in blkdev_wait (blk serves one request at a time)

uint32_t cfg_read(unsigned dev, unsigned reg) {
  cpu::outl(0xCF8, 0x80000000u | dev << 11 | (reg & 0xFC));
  return cpu::inl(0xCFC) >> (8 * (reg & 3));
}
void cfg_write(unsigned dev, unsigned reg, uint32_t v) {
  cpu::outl(0xCF8, 0x80000000u | dev << 11 | reg);
  cpu::outl(0xCFC, v);
}

// The 8259 mask bit of an IRQ (master 0x21, slave 0xA1 behind IRQ 2).
void set_masked(unsigned irq, bool masked) {
  const uint16_t port = irq < 8 ? 0x21 : 0xA1;
  const uint8_t bit = (uint8_t)(1u << (irq & 7));
  const uint8_t m = cpu::inb(port);
  cpu::outb(port, masked ? m | bit : m & (uint8_t)~bit);
  if (irq >= 8 && !masked) cpu::outb(0x21, cpu::inb(0x21) & (uint8_t)~4u);  // the cascade
}
}  // namespace

// Virtio 1.1 §4.1.2: vendor 0x1AF4, device 0x1042 (modern) or 0x1001
// (transitional); §4.1.4: the vendor capabilities name the structures.
void blkdev_probe() {
  for (unsigned dev = 0; dev < 32; ++dev) {
    const uint32_t id = cfg_read(dev, 0);
    if ((id & 0xFFFF) != 0x1AF4 || ((id >> 16) != 0x1042 && (id >> 16) != 0x1001)) continue;
    BlkDevice d;
    unsigned bar = 6;
    for (unsigned p = cfg_read(dev, 0x34) & 0xFC, n = 0; p && n < 48; p = cfg_read(dev, p + 1) & 0xFC, ++n) {
      if ((cfg_read(dev, p) & 0xFF) != 0x09) continue;
      const unsigned type = cfg_read(dev, p + 3) & 0xFF, b = cfg_read(dev, p + 4) & 0xFF;
      const uint32_t off = cfg_read(dev, p + 8);
      if (type < 1 || type > 4) continue;
      if (bar != 6 && b != bar) return void(g_blkdev.problem = "virtio structures in two BARs");
      bar = b;
      if (off >= 0x10000) return void(g_blkdev.problem = "a virtio structure beyond 64 KiB");
      if (type == 1) d.common = (uint16_t)off;
      if (type == 3) d.isr = (uint16_t)off;
      if (type == 4) d.device = (uint16_t)off;
      if (type == 2) d.notify = (uint16_t)off, d.notify_mult = cfg_read(dev, p + 16);
    }
    if (bar > 5) return void(g_blkdev.problem = "no virtio capabilities");
    const unsigned at = 0x10 + 4 * bar;
    const uint32_t lo = cfg_read(dev, at);
    uint64_t base = lo & ~0xFull;
    if ((lo & 6) == 4) base |= (uint64_t)cfg_read(dev, at + 4) << 32;
    // The BAR's size by the sizing protocol, with decoding off meanwhile.
    const uint32_t cmd = cfg_read(dev, 0x04) & 0xFFFF;
    cfg_write(dev, 0x04, cmd & ~2u);
    cfg_write(dev, at, 0xFFFFFFFF);
    const uint32_t size = ~(cfg_read(dev, at) & ~0xFu) + 1;
    cfg_write(dev, at, lo);
    cfg_write(dev, 0x04, cmd | 0x6);  // memory space, bus master
    if ((lo & 1) || base == 0 || size > 64 * 1024) return void(g_blkdev.problem = "its BAR is not a memory BAR of at most 64 KiB");
    d.bar = base, d.bar_size = size < 4096 ? 4096 : size;
    d.irq = (uint8_t)cfg_read(dev, 0x3C);
    if (d.irq >= 16 || d.irq == 2) return void(g_blkdev.problem = "its interrupt line is not an ISA IRQ");
    d.present = true;
    d.slot = (uint8_t)dev;
    g_blkdev = d;
    return;
  }
}

void blkdev_irq() {
  set_masked(g_blkdev.irq, true);  // until the driver has acknowledged the device
  g_irq_seen = true;
  if (g_waiter && g_waiter->state == TaskState::Blocked) g_waiter->state = TaskState::Ready;
  if (g_blkdev.irq >= 8) cpu::outb(0xA0, 0x20);
  cpu::outb(0x20, 0x20);
}

bool blkdev_wait(uint64_t ticks) {
  set_masked(g_blkdev.irq, false);
  // The task sleeps (others run, or the CPU halts) until the interrupt, its
  // own `ticks` or its call's budget wakes it (task.cpp on_timer_tick). Not a
  // yield loop: that kept a waiting task and a waiting init switching to
  // each other, a busy machine for as long as the disk took.
  if (!g_irq_seen) {
    Task* t = g_current;
    g_waiter = t;
    t->wake_tick = g_ticks + ticks;
    block_current();
    t->wake_tick = 0;
    g_waiter = nullptr;
  }
  const bool seen = g_irq_seen;
  g_irq_seen = false;
  return seen;
}
