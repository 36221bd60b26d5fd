// blk: the block driver. With a virtio-blk disk (the kernel found one and
// granted it to blk: its registers are mapped into blk's module area and
// nowhere else) it drives the device with a request per 512-byte block, the
// data transferred by the device straight into the page the caller passed --
// the frame behind blk's buffer window -- when the kernel accepts that buffer
// (DEV_SUBMIT), else through a page of blk's own and a copy; a write goes to
// the device the same way from the caller's page (the device only reads it,
// so an input buffer's read-only window will do), refused up front on a
// read-only disk.
// There is no IOMMU, so blk never gives the device an address: the kernel
// starts the device (DEV_START), checks every buffer of a request and puts it
// in the queue it keeps (DEV_SUBMIT), and wakes blk when the device is done
// (DEV_WAIT). blk reads the capacity from the device configuration, the one
// part of the device it sees. Without a disk it serves the built-in one of
// guest/include/disk.h. Virtio 1.1 §5.2 (block device).
#include "guest/include/disk.h"
#include "guest/modules/ulib.h"

SLOTLAB_MODULE("blk", abi::BLK_NOPS, 2, 0, 0, 0, abi::MODF_VIRTIO_BLK);
SLOTLAB_OPNAMES(abi::BLK_NOPS, "BLK_READ\0BLK_NBLOCKS\0BLK_WRITE");

namespace {
// Heap page 0: the request's DevDesc list. Heap page 1: the request header
// (+0), the status byte (+0x40), a bounce block (+0x200).
struct Virtio {
  int state;  // 0 not probed, 1 virtio, -1 the built-in disk, -2 the device failed
  uint64_t capacity;
  bool read_only;  // the device offers VIRTIO_BLK_F_RO (§5.2.3)
};
Virtio g_v;

uint8_t* page(unsigned i) { return u::heap() + 4096ull * i; }
int setup() {
  const int64_t info = u::dev(abi::DEV_INFO);
  if (info < 0) return -1;  // no device granted, or none found: the built-in disk
  const int64_t started = u::dev(abi::DEV_START);
  if (started < 0) return -2;
  g_v.read_only = started & 2;
  const auto* cfg = (const volatile uint32_t*)((const volatile uint8_t*)u::device() + (info >> 32 & 0xFFFF));
  g_v.capacity = cfg[0] | (uint64_t)cfg[1] << 32;  // §5.2.4: capacity, in 512-byte sectors
  return 1;
}

// One request: VIRTIO_BLK_T_IN (read into buf) or T_OUT (write from buf). The
// data goes straight to or from buf's page(s) if the kernel allows it there,
// else through the bounce block.
int64_t virtio_rw(uint64_t block, uint8_t* buf, bool write) {
  if (block >= g_v.capacity || (write && g_v.read_only)) return abi::E_INVAL;
  uint8_t* hdr = page(1);
  volatile uint8_t* status = page(1) + 0x40;
  uint8_t* bounce = page(1) + 0x200;
  *(volatile uint32_t*)hdr = write ? 1 : 0;  // VIRTIO_BLK_T_OUT : T_IN
  *(volatile uint32_t*)(hdr + 4) = 0;
  *(volatile uint64_t*)(hdr + 8) = block;
  *status = 0xFF;
  const uint32_t data_flags = write ? 0 : abi::DEV_DESC_WRITE;
  const uint32_t first = (uint32_t)(4096 - ((uint64_t)buf & 4095));
  auto* d = (abi::DevDesc*)page(0);
  unsigned n = 0;
  d[n++] = {(uint64_t)hdr, 16, 0};
  d[n++] = {(uint64_t)buf, first < disk::BLOCK ? first : disk::BLOCK, data_flags};
  if (first < disk::BLOCK) d[n++] = {(uint64_t)buf + first, disk::BLOCK - first, data_flags};
  d[n++] = {(uint64_t)status, 1, abi::DEV_DESC_WRITE};
  int64_t r = u::dev(abi::DEV_SUBMIT, (uint64_t)d, n);
  const bool direct = r != abi::E_BADBUF;
  if (!direct) {  // not where the kernel lets the device go (mode=monolithic, fs's block cache)
    if (write) u::copy(bounce, buf, disk::BLOCK);
    n = 0;
    d[n++] = {(uint64_t)hdr, 16, 0};
    d[n++] = {(uint64_t)bounce, disk::BLOCK, data_flags};
    d[n++] = {(uint64_t)status, 1, abi::DEV_DESC_WRITE};
    r = u::dev(abi::DEV_SUBMIT, (uint64_t)d, n);
  }
  if (r < 0) return abi::E_INVAL;
  // E_TIMEOUT here is the device's silence (the kernel has reset it), not the
  // call's budget: blk answers E_INVAL, leaving E_TIMEOUT to the kernel.
  if (u::dev(abi::DEV_WAIT) < 0) {
    g_v.state = -2;
    return abi::E_INVAL;
  }
  if (*status != 0) return abi::E_INVAL;
  if (!direct && !write) u::copy(buf, bounce, disk::BLOCK);
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
