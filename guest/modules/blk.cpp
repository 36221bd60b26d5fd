// blk: the block driver. With a virtio-blk disk (the kernel found one and
// granted it to blk: its registers are mapped into blk's module area and
// nowhere else) it drives the device: one request queue in blk's heap, a
// request per 512-byte block, the data transferred by the device straight
// into the page the caller passed -- the frame behind blk's buffer window --
// when the kernel agrees (SYS_dev DEV_DMA), else through a page of blk's own
// and a copy; a write goes to the device the same way from the caller's page
// (DEV_DMA_FROM: an input buffer's read-only window will do), refused up front
// on a read-only disk. It sleeps until the device interrupts (DEV_WAIT). Without a
// disk it serves the built-in one of guest/include/disk.h. Virtio 1.1 §3.1
// (initialisation), §2.6 (split virtqueues), §5.2 (block device).
#include "guest/include/disk.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("blk", abi::BLK_NOPS, 2, 0, 0, 0, abi::MODF_VIRTIO_BLK);
SLOTLAB_OPNAMES(abi::BLK_NOPS, "BLK_READ\0BLK_NBLOCKS\0BLK_WRITE");

namespace {
enum : uint8_t { ACK = 1, DRIVER = 2, DRIVER_OK = 4, FEATURES_OK = 8 };
constexpr uint16_t kQ = 8;  // queue entries: one request (4 descriptors) at a time
struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};
constexpr uint16_t F_NEXT = 1, F_WRITE = 2;

// Heap page 0: descriptors (+0), available ring (+0x100), used ring (+0x200).
// Heap page 1: the request header (+0), status (+0x40), a bounce block (+0x200).
struct Virtio {
  int state;  // 0 not probed, 1 virtio, -1 the built-in disk, -2 the device failed
  volatile uint8_t* regs;
  uint64_t common, isr, devcfg, notify;
  uint64_t capacity;
  bool read_only;  // the device offers VIRTIO_BLK_F_RO (§5.2.3)
  uint16_t avail, used_seen;
  uint64_t page_pa[2];
};
Virtio g_v;

uint8_t* page(unsigned i) { return u::heap() + 4096ull * i; }
template <class T>
volatile T& reg(uint64_t off) { return *(volatile T*)(g_v.regs + off); }
template <class T>
void put(uint64_t off, T v) { reg<T>(off) = v; }
void put64(uint64_t off, uint64_t v) { put<uint32_t>(off, (uint32_t)v), put<uint32_t>(off + 4, (uint32_t)(v >> 32)); }
int64_t dev(uint64_t op, uint64_t a1 = 0, uint64_t a2 = 0) { return u::sys(abi::SYS_dev, op, a1, a2); }

// §3.1.1: reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK,
// the queue, DRIVER_OK.
int setup() {
  const int64_t info = dev(abi::DEV_INFO);
  if (info < 0) return -1;
  g_v.regs = (volatile uint8_t*)u::device();
  g_v.common = info & 0xFFFF, g_v.isr = info >> 16 & 0xFFFF, g_v.devcfg = info >> 32 & 0xFFFF;
  const uint64_t notify_base = (uint64_t)info >> 48;
  for (unsigned i = 0; i < 2; ++i) {
    const int64_t pa = dev(abi::DEV_DMA, (uint64_t)page(i), 4096);
    if (pa < 0) return -2;
    g_v.page_pa[i] = (uint64_t)pa;
  }
  const uint64_t c = g_v.common;
  reg<uint8_t>(c + 0x14) = 0;
  reg<uint8_t>(c + 0x14) = ACK;
  reg<uint8_t>(c + 0x14) = ACK | DRIVER;
  reg<uint32_t>(c + 0x00) = 1;
  if (!(reg<uint32_t>(c + 0x04) & 1)) return -2;  // no VERSION_1
  reg<uint32_t>(c + 0x00) = 0;
  g_v.read_only = reg<uint32_t>(c + 0x04) & 1u << 5;  // offered, not accepted: the driver just obeys it
  put<uint32_t>(c + 0x08, 0), put<uint32_t>(c + 0x0C, 0);
  put<uint32_t>(c + 0x08, 1), put<uint32_t>(c + 0x0C, 1);
  reg<uint8_t>(c + 0x14) = ACK | DRIVER | FEATURES_OK;
  if (!(reg<uint8_t>(c + 0x14) & FEATURES_OK)) return -2;
  reg<uint16_t>(c + 0x16) = 0;
  if (reg<uint16_t>(c + 0x18) < kQ) return -2;
  reg<uint16_t>(c + 0x18) = kQ;
  const uint64_t rings = g_v.page_pa[0];
  put64(c + 0x20, rings), put64(c + 0x28, rings + 0x100), put64(c + 0x30, rings + 0x200);
  g_v.notify = notify_base + reg<uint16_t>(c + 0x1E) * (uint64_t)dev(abi::DEV_NOTIFY_MULT);
  reg<uint16_t>(c + 0x1C) = 1;
  reg<uint8_t>(c + 0x14) = ACK | DRIVER | FEATURES_OK | DRIVER_OK;
  g_v.capacity = reg<uint32_t>(g_v.devcfg) | (uint64_t)reg<uint32_t>(g_v.devcfg + 4) << 32;
  return 1;
}

// The physical pieces of [p, p + 512): one or two pages, if the kernel lets
// the device write there (or read, for a disk write); false: use the bounce block.
bool dma_pieces(uint8_t* p, bool device_writes, uint64_t pa[2], uint32_t len[2]) {
  const uint32_t first = (uint32_t)(4096 - ((uint64_t)p & 4095));
  len[0] = first < disk::BLOCK ? first : disk::BLOCK;
  len[1] = disk::BLOCK - len[0];
  const uint64_t op = device_writes ? abi::DEV_DMA : abi::DEV_DMA_FROM;
  const int64_t a = dev(op, (uint64_t)p, len[0]);
  const int64_t b = len[1] ? dev(op, (uint64_t)p + len[0], len[1]) : 0;
  if (a < 0 || b < 0) return false;
  pa[0] = (uint64_t)a, pa[1] = (uint64_t)b;
  return true;
}

// One request: VIRTIO_BLK_T_IN (read into buf) or T_OUT (write from buf).
int64_t virtio_rw(uint64_t block, uint8_t* buf, bool write) {
  if (block >= g_v.capacity || (write && g_v.read_only)) return abi::E_INVAL;
  auto* desc = (Desc*)page(0);
  auto* avail = (volatile uint16_t*)(page(0) + 0x100);
  auto* used = (volatile uint16_t*)(page(0) + 0x200);
  uint8_t* hdr = page(1);
  volatile uint8_t* status = page(1) + 0x40;
  *(volatile uint32_t*)hdr = write ? 1 : 0;  // VIRTIO_BLK_T_OUT : T_IN
  *(volatile uint32_t*)(hdr + 4) = 0;
  *(volatile uint64_t*)(hdr + 8) = block;
  *status = 0xFF;
  uint64_t pa[2];
  uint32_t len[2];
  const bool direct = dma_pieces(buf, !write, pa, len);
  if (!direct) {
    pa[0] = g_v.page_pa[1] + 0x200, len[0] = disk::BLOCK, len[1] = 0;
    if (write) u::copy(page(1) + 0x200, buf, disk::BLOCK);
  }
  uint16_t n = 0;
  desc[n] = {g_v.page_pa[1], 16, F_NEXT, (uint16_t)(n + 1)}, ++n;
  for (unsigned i = 0; i < 2; ++i)
    if (len[i]) desc[n] = {pa[i], len[i], (uint16_t)(F_NEXT | (write ? 0 : F_WRITE)), (uint16_t)(n + 1)}, ++n;
  desc[n] = {g_v.page_pa[1] + 0x40, 1, F_WRITE, 0};
  asm volatile("" ::: "memory");  // the descriptors before the ring entry that names them
  avail[2 + g_v.avail % kQ] = 0;
  asm volatile("" ::: "memory");
  avail[1] = ++g_v.avail;
  reg<uint16_t>(g_v.notify) = 0;
  const uint16_t want = (uint16_t)(g_v.used_seen + 1);
  while (used[1] != want) {
    if (dev(abi::DEV_WAIT) < 0) {
      // The device did not answer. Its request may still be in flight, with
      // the caller's page as its DMA target: reset the device (writing 0 to
      // device_status, virtio 1.1 §4.1.4.3; it drops its queues) and use it no
      // more, rather than let a late completion write into a page whose call
      // has returned.
      reg<uint8_t>(g_v.common + 0x14) = 0;
      g_v.state = -2;
      return abi::E_INVAL;  // not E_TIMEOUT: that is the kernel's word
    }
    const uint8_t isr = reg<uint8_t>(g_v.isr);  // acknowledges the interrupt: the line drops
    (void)isr;
  }
  g_v.used_seen = want;
  if (*status != 0) return abi::E_INVAL;
  if (!direct && !write) u::copy(buf, page(1) + 0x200, disk::BLOCK);
  return disk::BLOCK;
}
}  // namespace

int64_t module_main(uint64_t op, uint64_t arg, void* b0, uint64_t l0, void*, uint64_t) {
  if (op >= abi::BLK_NOPS) return abi::E_INVAL;
  u::lock(0);  // one request at a time: the queue and the bounce block are shared by every task
  if (g_v.state == 0) g_v.state = setup();
  int64_t r = abi::E_INVAL;
  if (g_v.state == 1) {
    if (op == abi::BLK_NBLOCKS) r = (int64_t)g_v.capacity;
    else if (l0 >= disk::BLOCK) r = virtio_rw(arg, (uint8_t*)b0, op == abi::BLK_WRITE);
  } else if (g_v.state == -2) {
    r = abi::E_INVAL;  // a disk that would not start: no silent fallback to the built-in one
  } else if (op == abi::BLK_NBLOCKS) {
    r = disk::NBLOCKS;
  } else if (op == abi::BLK_READ && arg < disk::NBLOCKS && l0 >= disk::BLOCK) {  // built in: read-only
    auto* dst = (uint8_t*)b0;
    for (uint32_t i = 0; i < disk::BLOCK; ++i) dst[i] = disk::byte_at(arg * disk::BLOCK + i);
    r = disk::BLOCK;
  }
  u::unlock(0);
  return r;
}
