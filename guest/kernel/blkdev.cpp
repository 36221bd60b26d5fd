#include "guest/kernel/blkdev.h"

#include "guest/include/slotlab_abi.h"
#include "guest/kernel/memlayout.h"
#include "guest/kernel/task.h"
#include "guest/kernel/trap.h"
#include "guest/kernel/vm.h"
#include "guest/kernel/x86.h"
#include "mmu/arch.h"

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

// The disk's INTx reaches the CPU through the I/O APIC, not the 8259: the
// platform wires each ISA IRQ to 8259 input n and I/O APIC pin n (PCI IRQs
// 5, 9, 10 and 11 have no interrupt source override in a pc's MADT other
// than "level, active high", so pin = IRQ). The 8259 keeps the input masked
// (pic_pit_init masks all but the timer). The local APIC stays as the
// firmware left it for the 8259's timer: software-enabled, LINT0 in ExtINT
// mode (SDM Vol. 3A §10.5.1); an ExtINT interrupt does not pass through the
// local APIC's IRR/ISR, so the disk's vector does not hold the timer back.
constexpr uint64_t IOAPIC_PHYS = 0xFEC00000;  // the pc's I/O APIC (the MADT's too)
constexpr uint64_t IOAPIC = layout::KERNEL_MMIO, LAPIC = layout::KERNEL_MMIO + 0x1000;
constexpr uint32_t RTE_LEVEL = 1u << 15, RTE_MASKED = 1u << 16, LVT_MASKED = 1u << 16;
bool g_x2apic;  // the local APIC's registers are MSRs (IA32_APIC_BASE.EXTD)
unsigned g_irqs_ioapic, g_irqs_8259;

volatile uint32_t& mmio32(uint64_t va) { return *(volatile uint32_t*)va; }
// 82093AA: IOREGSEL at +0x00 selects, IOWIN at +0x10 reads and writes.
void ioapic_write(unsigned reg, uint32_t v) {
  mmio32(IOAPIC) = reg;
  mmio32(IOAPIC + 0x10) = v;
}
uint32_t lapic_read(unsigned off) { return g_x2apic ? (uint32_t)cpu::rdmsr(x86::MSR_X2APIC_FIRST + off / 16) : mmio32(LAPIC + off); }
void lapic_write(unsigned off, uint32_t v) {
  if (g_x2apic) cpu::wrmsr(x86::MSR_X2APIC_FIRST + off / 16, v);
  else mmio32(LAPIC + off) = v;
}
// Redirection entry of the disk's pin: fixed delivery of VEC_BLK, physical
// destination this CPU's APIC, active high, level-triggered (a shared PCI
// line: an edge would be lost while another function still holds it high).
void set_masked(bool masked) {
  ioapic_write(0x10 + 2 * g_blkdev.irq, (uint32_t)VEC_BLK | RTE_LEVEL | (masked ? RTE_MASKED : 0));
}

// Map both controllers' registers into the kernel area (uncached, global,
// supervisor: no module reaches them) and point the disk's pin at VEC_BLK,
// masked until the driver waits.
const char* interrupt_setup() {
  const uint64_t base = cpu::rdmsr(x86::MSR_APIC_BASE);
  if (!(base & 1u << 11)) return "the local APIC is disabled";
  g_x2apic = base & 1u << 10;
  if (!kernel_map_mmio(IOAPIC, IOAPIC_PHYS) || !kernel_map_mmio(LAPIC, base & 0xFFFFFF000ull))
    return "no memory to map the interrupt controllers";
  // Software-enabled with a spurious vector the IDT has; LINT0 unmasked in
  // ExtINT mode if the firmware left it otherwise, or the 8259's timer stops.
  lapic_write(0xF0, 0x100 | (uint32_t)VEC_SPURIOUS);
  if (lapic_read(0x350) & LVT_MASKED) lapic_write(0x350, 0x700);
  ioapic_write(0x11 + 2 * g_blkdev.irq, (g_x2apic ? lapic_read(0x20) : lapic_read(0x20) >> 24) << 24);
  set_masked(true);
  return nullptr;
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
    if (d.irq >= 16 || d.irq == 2 || d.irq == 0) return void(g_blkdev.problem = "its interrupt line is not an ISA IRQ");
    d.slot = (uint8_t)dev;
    g_blkdev = d;
    g_blkdev.problem = interrupt_setup();
    g_blkdev.present = !g_blkdev.problem;
    return;
  }
}

// Masked before the EOI: the line stays high until the driver's task reads
// the ISR status, and a level-triggered entry whose remote IRR the EOI clears
// would deliver again at once (SDM Vol. 3A §10.8.5; 82093AA §3.2.4).
void blkdev_irq() {
  set_masked(true);  // until the driver has acknowledged the device
  ++g_irqs_ioapic;
  g_irq_seen = true;
  if (g_waiter && g_waiter->state == TaskState::Blocked) g_waiter->state = TaskState::Ready;
  lapic_write(0xB0, 0);  // EOI
}

void blkdev_irq_8259() { ++g_irqs_8259; }
unsigned blkdev_irqs(bool through_8259) { return through_8259 ? g_irqs_8259 : g_irqs_ioapic; }

bool blkdev_wait(uint64_t ticks) {
  // The task sleeps (others run, or the CPU halts) until the interrupt, its
  // own `ticks` or its call's budget wakes it (task.cpp on_timer_tick). Not a
  // yield loop: that kept a waiting task and a waiting init switching to
  // each other, a busy machine for as long as the disk took.
  if (!g_irq_seen) {
    // Unmasked only while nothing is taken and unacknowledged: an interrupt
    // already taken keeps its line high until the ISR read, and unmasking
    // then would deliver it twice.
    set_masked(false);
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

namespace {
// The common configuration's fields (virtio 1.1 §4.1.4.3).
enum : uint64_t {
  DFSEL = 0x00, DF = 0x04, GFSEL = 0x08, GF = 0x0C, STATUS = 0x14, QSEL = 0x16, QSIZE = 0x18,
  QENABLE = 0x1C, QNOFF = 0x1E, QDESC = 0x20, QDRIVER = 0x28, QDEVICE = 0x30,
};
enum : uint8_t { ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };
constexpr uint16_t kQ = 8;                 // one request (at most 4 descriptors) at a time
constexpr uint16_t F_NEXT = 1, F_WRITE = 2;  // §2.6.5
struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
struct Queue {
  int state = 0;        // 0 not started, 1 running, -1 failed (reset, used no more)
  bool read_only = false;
  uint64_t ring = 0;    // the kernel's frame: descriptors +0, driver area +0x100, device area +0x200
  uint64_t notify = 0;  // offset of queue 0's doorbell in the BAR
  uint16_t avail = 0, used_seen = 0;
  BlkChain chain{};  // the request in flight (n = 0: none)
};
Queue g_q;

template <class T>
volatile T& reg(uint64_t regs, uint64_t off) { return *(volatile T*)(regs + off); }
void put64(uint64_t regs, uint64_t off, uint64_t v) {
  reg<uint32_t>(regs, off) = (uint32_t)v;
  reg<uint32_t>(regs, off + 4) = (uint32_t)(v >> 32);
}
void fail(uint64_t regs) {
  reg<uint8_t>(regs, g_blkdev.common + STATUS) = 0;  // a reset ends every request (§4.1.4.3)
  g_q.state = -1;
  g_q.chain.n = 0;
}
}  // namespace

// §3.1.1: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK,
// the queue, DRIVER_OK.
int64_t blkdev_start(uint64_t regs) {
  if (g_q.state == 1) return 1 | (g_q.read_only ? 2 : 0);
  if (g_q.state < 0) return abi::E_INVAL;
  const uint64_t c = g_blkdev.common;
  g_q.state = -1;  // until it is up
  reg<uint8_t>(regs, c + STATUS) = 0;
  reg<uint8_t>(regs, c + STATUS) = ACK;
  reg<uint8_t>(regs, c + STATUS) = ACK | DRIVER;
  reg<uint32_t>(regs, c + DFSEL) = 1;
  if (!(reg<uint32_t>(regs, c + DF) & 1)) return abi::E_INVAL;  // no VERSION_1
  reg<uint32_t>(regs, c + DFSEL) = 0;
  g_q.read_only = reg<uint32_t>(regs, c + DF) & 1u << 5;  // VIRTIO_BLK_F_RO: obeyed, not negotiated
  reg<uint32_t>(regs, c + GFSEL) = 0;
  reg<uint32_t>(regs, c + GF) = 0;
  reg<uint32_t>(regs, c + GFSEL) = 1;
  reg<uint32_t>(regs, c + GF) = 1;
  reg<uint8_t>(regs, c + STATUS) = ACK | DRIVER | FEATURES_OK;
  if (!(reg<uint8_t>(regs, c + STATUS) & FEATURES_OK)) return abi::E_INVAL;
  reg<uint16_t>(regs, c + QSEL) = 0;
  if (reg<uint16_t>(regs, c + QSIZE) < kQ) return abi::E_INVAL;
  reg<uint16_t>(regs, c + QSIZE) = kQ;
  if (!g_q.ring) g_q.ring = alloc_zeroed_page();
  put64(regs, c + QDESC, g_q.ring);
  put64(regs, c + QDRIVER, g_q.ring + 0x100);
  put64(regs, c + QDEVICE, g_q.ring + 0x200);
  g_q.notify = g_blkdev.notify + reg<uint16_t>(regs, c + QNOFF) * (uint64_t)g_blkdev.notify_mult;
  reg<uint16_t>(regs, c + QENABLE) = 1;
  reg<uint8_t>(regs, c + STATUS) = ACK | DRIVER | FEATURES_OK | DRIVER_OK;
  g_q.state = 1;
  return 1 | (g_q.read_only ? 2 : 0);
}

int64_t blkdev_submit(uint64_t regs, const BlkChain& ch) {
  if (g_q.state != 1) return abi::E_INVAL;
  if (g_q.chain.n) return abi::E_BUSY;
  auto* desc = phys_ptr<Desc>(g_q.ring);
  auto* avail = phys_ptr<volatile uint16_t>(g_q.ring + 0x100);
  for (unsigned i = 0; i < ch.n; ++i) {
    const uint16_t more = i + 1 < ch.n ? F_NEXT : 0;
    desc[i] = {ch.pa[i], ch.len[i], (uint16_t)(more | (ch.device_writes[i] ? F_WRITE : 0)), (uint16_t)(i + 1)};
  }
  asm volatile("" ::: "memory");  // the descriptors before the ring entry that names them
  avail[2 + g_q.avail % kQ] = 0;
  asm volatile("" ::: "memory");
  avail[1] = ++g_q.avail;
  asm volatile("" ::: "memory");
  g_q.chain = ch;
  reg<uint16_t>(regs, g_q.notify) = 0;
  return 0;
}

int64_t blkdev_complete(uint64_t regs, uint64_t ticks) {
  if (g_q.state != 1 || !g_q.chain.n) return abi::E_INVAL;
  auto* used = phys_ptr<volatile uint16_t>(g_q.ring + 0x200);
  const uint16_t want = (uint16_t)(g_q.used_seen + 1);
  // Every completion raises the interrupt (the driver never suppresses it),
  // and reading the ISR status drops the line, so one request is one
  // interrupt -- also when the device finished before the driver asked.
  do {
    if (!blkdev_wait(ticks)) {
      // The device did not answer. Its request may still name the caller's
      // page: reset it rather than let a late completion write there.
      fail(regs);
      return abi::E_TIMEOUT;
    }
    const uint8_t isr = reg<uint8_t>(regs, g_blkdev.isr);  // acknowledges the interrupt: the line drops
    (void)isr;
  } while (used[1] != want);
  g_q.used_seen = want;
  g_q.chain.n = 0;
  // The used element of the request (§2.6.8): id, then the length written.
  return phys_ptr<volatile uint32_t>(g_q.ring + 0x200 + 4 + 8 * ((want - 1) % kQ))[1];
}

bool blkdev_dma_target(uint64_t frame) {
  for (unsigned i = 0; i < g_q.chain.n; ++i)
    if ((g_q.chain.pa[i] & ~0xFFFull) == frame) return true;
  return false;
}
