// virtio: a virtio-blk PCI device driven as a modern (virtio 1.x) driver
// drives it -- the vendor capabilities, BAR 4 sizing, the feature handshake,
// the device configuration (also through the PCI configuration access
// window), one split virtqueue, INTx through the IOAPIC with the ISR status
// acknowledging it, reads, a write read back, a flush, several requests per
// notification, chains split at odd places, IOERR and UNSUPP answers, an
// interrupt the driver suppressed, and rings the driver broke on purpose
// (DEVICE_NEEDS_RESET with a configuration interrupt, then a reset that
// brings the device back). The disk is made by tests/boot/virtio/compare.sh:
// byte o holds pat(o), and the script checks afterwards that only sector 7
// changed, on QEMU's image and on ours.
//
// Facts that differ between QEMU's transitional device and a modern-only one
// (device ID, MSI-X, legacy BAR 0, the exact feature words) are not printed,
// unless the command line holds "identity": then the whole configuration
// space is (compared with QEMU's disable-legacy=on,vectors=0).
#include "tests/boot/rt/rt.h"

extern "C" const char rt_kernel_name[] = "virtio";

using namespace x86;

static constexpr uint64_t kApic = 0xFEE00000, kIoApic = 0xFEC00000;
static constexpr unsigned kVector = 0x41;
static uint8_t pat(uint64_t o) { return uint8_t((o >> 9) * 13 + (o & 0x1FF) * 7 + 1); }

static unsigned g_dev;
static uint32_t cfg_read(unsigned reg) {
  outl(0xCF8, 0x80000000u | g_dev << 11 | (reg & 0xFC));
  return inl(0xCFC) >> (8 * (reg & 3));
}
static void cfg_write32(unsigned reg, uint32_t v) { outl(0xCF8, 0x80000000u | g_dev << 11 | reg), outl(0xCFC, v); }
static void cfg_write8(unsigned reg, uint8_t v) {
  outl(0xCF8, 0x80000000u | g_dev << 11 | (reg & 0xFC));
  outb(0xCFC + (reg & 3), v);
}

// The BAR 4 regions, found through the capabilities.
static uint64_t g_bar, g_common, g_isr, g_device, g_notify;
static uint32_t g_mult;
template <class T> static T rd(uint64_t a) { return *(volatile T*)a; }
template <class T> static void wr(uint64_t a, T v) { *(volatile T*)a = v; }
static void wr64(uint64_t a, uint64_t v) { wr<uint32_t>(a, uint32_t(v)), wr<uint32_t>(a + 4, uint32_t(v >> 32)); }

// Common configuration offsets (virtio 1.1 §4.1.4.3).
enum : unsigned { DFSEL = 0, DF = 4, GFSEL = 8, GF = 0xC, NUMQ = 0x12, STATUS = 0x14, QSEL = 0x16, QSIZE = 0x18,
                  QENABLE = 0x1C, QNOTIFYOFF = 0x1E, QDESC = 0x20, QDRIVER = 0x28, QDEVICE = 0x30 };
enum : uint8_t { ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8, NEEDS_RESET = 64 };

static volatile unsigned g_irqs;
static volatile uint8_t g_isr_seen;
static bool on_irq(Frame*) {
  g_isr_seen = g_isr_seen | rd<uint8_t>(g_isr);  // acknowledges: INTx drops
  g_irqs = g_irqs + 1;
  wr<uint32_t>(kApic + 0xB0, 0);
  return true;
}

struct Desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
static constexpr unsigned kQ = 16;
static Desc* g_desc;
static volatile uint16_t* g_avail;  // flags, idx, ring[kQ], used_event
static volatile uint32_t* g_used;   // flags|idx, then {id, len} pairs
static uint16_t g_avail_idx, g_used_seen;
static uint16_t g_notify_off;

static void init_device(bool report) {
  wr<uint8_t>(g_common + STATUS, 0);
  if (report) rt_check("status after reset", rd<uint8_t>(g_common + STATUS), 0);
  wr<uint8_t>(g_common + STATUS, ACK);
  wr<uint8_t>(g_common + STATUS, ACK | DRIVER);
  wr<uint32_t>(g_common + DFSEL, 0);
  const uint32_t lo = rd<uint32_t>(g_common + DF);
  wr<uint32_t>(g_common + DFSEL, 1);
  const uint32_t hi = rd<uint32_t>(g_common + DF);
  if (report) {
    rt_check("offers VERSION_1", hi & 1, 1);
    rt_check("offers FLUSH", lo >> 9 & 1, 1);
    rt_check("offers BLK_SIZE", lo >> 6 & 1, 1);
    rt_check("offers SEG_MAX", lo >> 2 & 1, 1);
    rt_check("does not offer RO", lo >> 5 & 1, 0);
  }
  wr<uint32_t>(g_common + GFSEL, 0), wr<uint32_t>(g_common + GF, 1u << 9);
  wr<uint32_t>(g_common + GFSEL, 1), wr<uint32_t>(g_common + GF, 1);
  wr<uint8_t>(g_common + STATUS, ACK | DRIVER | FEATURES_OK);
  if (report) rt_check("FEATURES_OK accepted", rd<uint8_t>(g_common + STATUS), ACK | DRIVER | FEATURES_OK);
  wr<uint16_t>(g_common + QSEL, 0);
  if (report) {
    rt_check("queue 0 maximum size", rd<uint16_t>(g_common + QSIZE), 256);
    wr<uint16_t>(g_common + QSEL, 1);
    rt_check("queue 1 absent (size 0)", rd<uint16_t>(g_common + QSIZE), 0);
    wr<uint16_t>(g_common + QSEL, 0);
  }
  wr<uint16_t>(g_common + QSIZE, kQ);
  memset(g_desc, 0, 4096), memset((void*)g_avail, 0, 4096), memset((void*)g_used, 0, 4096);
  g_avail_idx = g_used_seen = 0;
  wr64(g_common + QDESC, (uint64_t)g_desc);
  wr64(g_common + QDRIVER, (uint64_t)g_avail);
  wr64(g_common + QDEVICE, (uint64_t)g_used);
  g_notify_off = rd<uint16_t>(g_common + QNOTIFYOFF);
  wr<uint16_t>(g_common + QENABLE, 1);
  wr<uint8_t>(g_common + STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK);
  if (report) rt_check("queue enabled", rd<uint16_t>(g_common + QENABLE), 1);
}

static void notify() { wr<uint16_t>(g_notify + g_notify_off * g_mult, 0); }
static uint16_t used_idx() { return uint16_t(g_used[0] >> 16); }

// Makes chain `head` available; notifies if asked.
static void offer(uint16_t head, bool kick = true) {
  g_avail[2 + g_avail_idx % kQ] = head;
  asm volatile("" ::: "memory");
  g_avail[1] = ++g_avail_idx;
  if (kick) notify();
}

// Waits for `n` more used entries and an interrupt; false on a timeout.
static bool wait_used(unsigned n) {
  const uint16_t want = uint16_t(g_used_seen + n);
  const bool ok = rt_wait_for([want] { return used_idx() == want && g_irqs > 0; });
  g_used_seen = want;
  return ok;
}

struct Req { uint32_t type, reserved; uint64_t sector; };
static Req* g_hdr;
static uint8_t* g_data;    // 3 pages
static volatile uint8_t* g_status;

// A request in three descriptors (header, data, status) from index 0;
// returns the status byte, or 0xEE if nothing came back.
static unsigned simple(uint32_t type, uint64_t sector, uint32_t len, bool device_writes, uint32_t* used_len = nullptr) {
  *g_hdr = {type, 0, sector};
  *g_status = 0xEE;
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {(uint64_t)g_data, len, uint16_t(1 | (device_writes ? 2 : 0)), 2};
  g_desc[2] = {(uint64_t)g_status, 1, 2, 0};
  if (!len) g_desc[0].next = 2;
  g_irqs = 0;
  g_isr_seen = 0;
  offer(0);
  if (!wait_used(1)) return rt_fail("request %x: no completion", type), 0xEE;
  const unsigned slot = (g_used_seen - 1) % kQ;
  if (used_len) *used_len = g_used[2 + 2 * slot];
  if (g_used[1 + 2 * slot] != 0) rt_fail("used id %x is not the head 0", g_used[1 + 2 * slot]);
  return *g_status;
}

static bool data_is(uint64_t sector, const uint8_t* p, uint32_t len) {
  for (uint32_t i = 0; i < len; i++)
    if (p[i] != pat(sector * 512 + i)) return false;
  return true;
}

// Offers a chain the driver broke, expects DEVICE_NEEDS_RESET and a
// configuration interrupt, then resets the device and checks a read works.
static void broken(const char* what, unsigned ndesc, uint16_t head = 0) {
  g_irqs = 0;
  g_isr_seen = 0;
  (void)ndesc;
  offer(head);
  const bool seen = rt_wait_for([] { return (rd<uint8_t>(g_common + STATUS) & NEEDS_RESET) && g_irqs > 0; });
  rt_printf("%s: needs reset %d, isr %x, used idx moved %d\n", what, seen, g_isr_seen,
            used_idx() != g_used_seen);
  init_device(false);
  rt_check("after the reset, status", rd<uint8_t>(g_common + STATUS), ACK | DRIVER | FEATURES_OK | DRIVER_OK);
  rt_check("after the reset, a read works", simple(0, 3, 512, true), 0);
  rt_check("after the reset, the data", data_is(3, g_data, 512), 1);
}

static bool cmdline_has(const char* word) {
  const uint32_t* mbi = (const uint32_t*)(uint64_t)rt_mb_info;
  if (!(mbi[0] & 4)) return false;
  const char* s = (const char*)(uint64_t)mbi[4];
  for (; *s; s++) {
    const char* a = s;
    const char* b = word;
    while (*b && *a == *b) a++, b++;
    if (!*b) return true;
  }
  return false;
}

void kmain() {
  rt_map(kApic, kApic, PTE_P | PTE_W | PTE_PCD);
  rt_map(kIoApic, kIoApic, PTE_P | PTE_W | PTE_PCD);
  outb(0x21, 0xFF), outb(0xA1, 0xFF);  // the 8259s out of the way

  g_dev = 32;
  for (unsigned d = 0; d < 32 && g_dev == 32; d++) {
    outl(0xCF8, 0x80000000u | d << 11);
    const uint32_t id = inl(0xCFC);
    if ((id & 0xFFFF) == 0x1AF4 && ((id >> 16) == 0x1001 || (id >> 16) == 0x1042)) g_dev = d;
  }
  if (!rt_check("a virtio-blk function on bus 0", g_dev < 32, 1)) return;
  if (cmdline_has("identity"))
    for (unsigned r = 0; r < 0x100; r += 16)
      rt_printf("config %02x: %08x %08x %08x %08x\n", r, cfg_read(r), cfg_read(r + 4), cfg_read(r + 8), cfg_read(r + 12));
  rt_check("class: mass storage", cfg_read(0x0B) & 0xFF, 0x01);
  rt_check("status: capability list", cfg_read(0x06) >> 4 & 1, 1);
  rt_check("interrupt pin: INTA", cfg_read(0x3D) & 0xFF, 1);

  // The vendor capabilities (virtio 1.1 §4.1.4): type, BAR, offset, length.
  uint64_t cfgcap = 0;
  for (unsigned p = cfg_read(0x34) & 0xFC, n = 0; p && n < 48; p = cfg_read(p + 1) & 0xFC, n++) {
    if ((cfg_read(p) & 0xFF) != 0x09) continue;
    const unsigned type = cfg_read(p + 3) & 0xFF, bar = cfg_read(p + 4) & 0xFF;
    const uint32_t off = cfg_read(p + 8), len = cfg_read(p + 12);
    rt_printf("virtio cap type %u: bar %u offset %x length %x\n", type, bar, off, len);
    if (type == 1) g_common = off;
    if (type == 3) g_isr = off;
    if (type == 4) g_device = off;
    if (type == 2) g_notify = off, g_mult = cfg_read(p + 16), rt_printf("  notify multiplier %u\n", g_mult);
    if (type == 5) cfgcap = p;
  }
  // BAR 4: 64-bit prefetchable memory; its size by the sizing protocol.
  const uint32_t b4 = cfg_read(0x20), b5 = cfg_read(0x24);
  rt_printf("BAR4 %x BAR5 %x\n", b4, b5);
  const uint16_t cmd = cfg_read(0x04) & 0xFFFF;
  rt_printf("command %x\n", cmd);
  cfg_write32(0x04, cmd & ~2u);  // memory decode off while sizing
  cfg_write32(0x20, 0xFFFFFFFF), cfg_write32(0x24, 0xFFFFFFFF);
  rt_printf("BAR4 sizing reads %x %x\n", cfg_read(0x20), cfg_read(0x24));
  cfg_write32(0x20, b4), cfg_write32(0x24, b5);
  cfg_write32(0x04, cmd | 0x6);  // memory space, bus master
  g_bar = (b4 & ~0xFull) | (uint64_t)b5 << 32;
  for (uint64_t a = 0; a < 0x4000; a += 4096) rt_map(g_bar + a, g_bar + a, PTE_P | PTE_W | PTE_PCD);
  g_common += g_bar, g_isr += g_bar, g_device += g_bar, g_notify += g_bar;

  const unsigned line = cfg_read(0x3C) & 0xFF;
  rt_printf("interrupt line %u\n", line);
  rt_set_handler(kVector, on_irq);
  const uint32_t pin_reg = 0x10 + 2 * line;
  wr<uint32_t>(kIoApic, pin_reg + 1), wr<uint32_t>(kIoApic + 0x10, 0);
  wr<uint32_t>(kIoApic, pin_reg), wr<uint32_t>(kIoApic + 0x10, kVector | 1u << 15);  // level, active high

  g_desc = (Desc*)rt_alloc_page();
  g_avail = (volatile uint16_t*)rt_alloc_page();
  g_used = (volatile uint32_t*)rt_alloc_page();
  g_hdr = (Req*)rt_alloc_page();
  g_status = (volatile uint8_t*)g_hdr + 64;
  g_data = (uint8_t*)rt_alloc_page();
  rt_alloc_page(), rt_alloc_page();  // g_data spans three pages (the pool is contiguous)
  init_device(true);
  rt_check("num_queues", rd<uint16_t>(g_common + NUMQ), 1);
  rt_check("ISR status at rest", rd<uint8_t>(g_isr), 0);

  // struct virtio_blk_config: capacity, seg_max, blk_size.
  const uint64_t cap = rd<uint32_t>(g_device) | (uint64_t)rd<uint32_t>(g_device + 4) << 32;
  rt_printf("capacity %lu sectors, seg_max %u, blk_size %u\n", cap, rd<uint32_t>(g_device + 12), rd<uint32_t>(g_device + 20));
  if (cfgcap) {  // the same capacity through the PCI configuration access window
    cfg_write8(cfgcap + 4, 4);
    cfg_write32(cfgcap + 8, 0x2000);
    cfg_write32(cfgcap + 12, 4);
    rt_check("capacity through the configuration window", cfg_read(cfgcap + 16), uint32_t(cap));
  }

  uint32_t len = 0;
  rt_check("read sector 0: status", simple(0, 0, 512, true, &len), 0);
  rt_check("read sector 0: used length", len, 513);
  rt_check("read sector 0: the data", data_is(0, g_data, 512), 1);
  rt_check("read sector 0: ISR", g_isr_seen, 1);
  rt_check("after the handler: ISR", rd<uint8_t>(g_isr), 0);
  rt_check("read 24 sectors from 100: status", simple(0, 100, 24 * 512, true), 0);
  rt_check("read 24 sectors from 100: the data", data_is(100, g_data, 24 * 512), 1);

  // A chain split at odd places: the header in two pieces, the data in three.
  *g_hdr = {0, 0, 5};
  *g_status = 0xEE;
  g_desc[3] = {(uint64_t)g_hdr, 9, 1, 7};
  g_desc[7] = {(uint64_t)g_hdr + 9, 7, 1, 4};
  g_desc[4] = {(uint64_t)g_data, 1000, 3, 9};
  g_desc[9] = {(uint64_t)g_data + 1000, 24, 3, 5};
  g_desc[5] = {(uint64_t)g_data + 1024, 512, 3, 6};
  g_desc[6] = {(uint64_t)g_status, 1, 2, 0};
  g_irqs = 0;
  offer(3);
  rt_check("split chain: completed", wait_used(1), 1);
  rt_check("split chain: used id", g_used[1 + 2 * ((g_used_seen - 1) % kQ)], 3);
  rt_check("split chain: status", *g_status, 0);
  rt_check("split chain: 3 sectors from 5", data_is(5, g_data, 1536), 1);

  // A write, read back; a flush.
  for (unsigned i = 0; i < 512; i++) g_data[i] = uint8_t(i * 3 + 0x5A);
  rt_check("write sector 7: status", simple(1, 7, 512, false, &len), 0);
  rt_check("write sector 7: used length", len, 1);
  memset(g_data, 0, 512);
  rt_check("read sector 7 back: status", simple(0, 7, 512, true), 0);
  bool same = true;
  for (unsigned i = 0; i < 512; i++) same &= g_data[i] == uint8_t(i * 3 + 0x5A);
  rt_check("read sector 7 back: the data written", same, 1);
  rt_check("flush: status", simple(4, 0, 0, false), 0);

  // Answers, not breakage.
  rt_check("read at the capacity: IOERR", simple(0, cap, 512, true), 1);
  rt_check("read across the end: IOERR", simple(0, cap - 1, 1024, true), 1);
  rt_check("write at the capacity: IOERR", simple(1, cap, 512, false), 1);
  rt_check("read of 100 bytes: IOERR", simple(0, 0, 100, true), 1);
  rt_check("type 0x99: UNSUPP", simple(0x99, 0, 512, true), 2);

  // A data buffer where no RAM is (a master abort on a real bus): the
  // request completes, reporting an I/O error, and the device goes on.
  *g_hdr = {0, 0, 1};
  *g_status = 0xEE;
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {0x100000000ull, 512, 3, 2};
  g_desc[2] = {(uint64_t)g_status, 1, 2, 0};
  g_irqs = 0;
  offer(0);
  rt_check("buffer outside RAM: completed", wait_used(1), 1);
  rt_check("buffer outside RAM: status IOERR", *g_status, 1);
  rt_check("buffer outside RAM: no reset needed", rd<uint8_t>(g_common + STATUS) & NEEDS_RESET, 0);

  // Three requests, one notification.
  static volatile uint8_t st3[3];
  for (unsigned r = 0; r < 3; r++) {
    Req* h = g_hdr + 1 + r;
    *h = {0, 0, 200 + r};
    st3[r] = 0xEE;
    g_desc[3 * r] = {(uint64_t)h, 16, 1, uint16_t(3 * r + 1)};
    g_desc[3 * r + 1] = {(uint64_t)g_data + 512 * r, 512, 3, uint16_t(3 * r + 2)};
    g_desc[3 * r + 2] = {(uint64_t)&st3[r], 1, 2, 0};
  }
  g_irqs = 0;
  offer(0, false), offer(3, false), offer(6, true);
  rt_check("three requests: completed", wait_used(3), 1);
  rt_check("three requests: statuses", st3[0] | st3[1] << 8 | st3[2] << 16, 0);
  rt_check("three requests: the data", data_is(200, g_data, 512) && data_is(201, g_data + 512, 512) &&
                                           data_is(202, g_data + 1024, 512), 1);

  // No interrupt when the driver asks for none (VIRTQ_AVAIL_F_NO_INTERRUPT).
  g_avail[0] = 1;
  *g_hdr = {0, 0, 9};
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {(uint64_t)g_data, 512, 3, 2};
  g_desc[2] = {(uint64_t)g_status, 1, 2, 0};
  g_irqs = 0;
  offer(0);
  const uint16_t want = uint16_t(g_used_seen + 1);
  const bool done = rt_wait_for([want] { return used_idx() == want; });
  g_used_seen = want;
  for (int i = 0; i < 200000; i++) asm volatile("sti; nop; cli");
  rt_check("suppressed: completed", done, 1);
  rt_check("suppressed: no interrupt", g_irqs, 0);
  rt_check("suppressed: ISR", rd<uint8_t>(g_isr), 0);
  g_avail[0] = 0;

  // Rings the driver broke: the device stops and asks for a reset.
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {(uint64_t)g_data, 512, 3, 0};  // next = 0: a loop
  broken("a descriptor loop", 2);
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {(uint64_t)g_data, 512, 3, 40};  // next beyond the queue
  broken("next index beyond the queue", 2);
  g_desc[0] = {(uint64_t)g_hdr, 8, 1, 1};  // half a header
  g_desc[1] = {(uint64_t)g_status, 1, 2, 0};
  broken("an 8-byte header", 2);
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {(uint64_t)g_data, 512, 3, 2};
  g_desc[2] = {(uint64_t)g_status, 1, 1, 0};  // readable after writable
  broken("a readable buffer after a writable one", 3);
  g_desc[0] = {(uint64_t)g_hdr, 16, 1, 1};
  g_desc[1] = {(uint64_t)g_data, 0, 3, 2};  // empty
  g_desc[2] = {(uint64_t)g_status, 1, 2, 0};
  broken("a zero-sized buffer", 3);
  broken("a head index beyond the queue", 0, 300);
}
