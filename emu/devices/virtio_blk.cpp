#include "emu/devices/virtio_blk.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace slot::emu {

namespace {
// BAR 4 regions (the same offsets as QEMU's).
constexpr uint64_t kCommon = 0x0000, kIsr = 0x1000, kDevice = 0x2000, kNotify = 0x3000, kRegion = 0x1000;
constexpr uint32_t kNotifyMultiplier = 4;
// The PCI configuration access capability and its window (§4.1.4.8).
constexpr unsigned kCfgCap = 0x84, kCfgBar = kCfgCap + 4, kCfgOffset = kCfgCap + 8, kCfgLength = kCfgCap + 12,
                   kCfgData = kCfgCap + 16;
// Request types and status values (§5.2.6).
constexpr uint32_t kIn = 0, kOut = 1, kFlushReq = 4, kGetId = 8;
constexpr uint8_t kOk = 0, kIoErr = 1, kUnsupp = 2;
constexpr unsigned kIdBytes = 20;
// The common configuration's fields: offset and width (§4.1.4.3).
struct Field {
  unsigned off, width;
};
constexpr Field kFields[] = {{0x00, 4}, {0x04, 4}, {0x08, 4}, {0x0C, 4}, {0x10, 2}, {0x12, 2}, {0x14, 1},
                             {0x15, 1}, {0x16, 2}, {0x18, 2}, {0x1A, 2}, {0x1C, 2}, {0x1E, 2}, {0x20, 8},
                             {0x28, 8}, {0x30, 8}};
constexpr uint16_t kNoVector = 0xFFFF;

// A byte stream over a chain's readable (or writable) buffers.
struct Stream {
  const std::vector<VirtqBuffer>& chain;
  bool writable;
  uint64_t total() const {
    uint64_t n = 0;
    for (const VirtqBuffer& b : chain) n += b.writable == writable ? b.len : 0;
    return n;
  }
  // Copies n bytes at stream offset `at` to or from `p`; false if the DMA failed.
  template <class P>
  bool copy(const Dma& dma, uint64_t at, P* p, uint64_t n) const {
    for (const VirtqBuffer& b : chain) {
      if (b.writable != writable || n == 0) continue;
      if (at >= b.len) {
        at -= b.len;
        continue;
      }
      const uint64_t k = std::min<uint64_t>(n, b.len - at);
      bool ok;
      if constexpr (std::is_const_v<P>) ok = dma.write(b.addr + at, p, k);
      else ok = dma.read(b.addr + at, p, k);
      if (!ok) return false;
      p += k, n -= k, at = 0;
    }
    return n == 0;
  }
};
}  // namespace

VirtioBlk::VirtioBlk(Clock& clock, std::unique_ptr<DiskImage> disk, uint64_t latency_ns)
    : PciFunction(0x1AF4, 0x1042, 0x01000001, 0x00), clock_(clock), disk_(std::move(disk)), latency_ns_(latency_ns) {
  timer_ = clock_.add_timer("virtio-blk", [this](uint64_t) { serve(); });
  add_bar64(kBar, kBarSize, true);
  put(0x06, 0x0010, 2);      // status: capabilities list
  put(0x2C, 0x11001AF4, 4);  // subsystem
  put(0x34, kCfgCap, 1);     // the first capability
  put(0x3D, 1, 1);           // INTA
  // struct virtio_pci_cap {vndr 9, next, len, cfg_type, bar, id, pad[2], offset, length}.
  const struct {
    unsigned at, next, len, type;
    uint64_t offset;
    uint32_t length;
  } caps[] = {{0x40, 0x00, 0x10, 1, kCommon, kRegion},
              {0x50, 0x40, 0x10, 3, kIsr, kRegion},
              {0x60, 0x50, 0x10, 4, kDevice, kRegion},
              {0x70, 0x60, 0x14, 2, kNotify, kRegion},
              {kCfgCap, 0x70, 0x14, 5, 0, 0}};
  for (const auto& c : caps) {
    put(c.at, 0x09 | c.next << 8 | c.len << 16 | c.type << 24, 4);
    put(c.at + 4, c.type == 5 ? 0 : kBar, 1);
    put(c.at + 8, uint32_t(c.offset), 4);
    put(c.at + 12, c.length, 4);
  }
  put(0x80, kNotifyMultiplier, 4);
  // The access window's bar, offset, length and data are the driver's to write.
  for (unsigned r = kCfgBar; r < kCfgBar + 1; ++r) writable()[r] = 0xFF;
  for (unsigned r = kCfgOffset; r < kCfgData + 4; ++r) writable()[r] = 0xFF;
}

void VirtioBlk::reset() {
  st_ = {};
  queue_.reset();
  broken_.clear();
  clock_.disarm(timer_);
  set_intx(false);
}

uint64_t VirtioBlk::common_field(unsigned off) const {
  const bool q0 = st_.queue_select == 0;
  const SplitQueue::State& q = queue_.state();
  switch (off) {
    case 0x00: return st_.device_feature_select;
    case 0x04: return st_.device_feature_select < 2 ? uint32_t(features() >> (32 * st_.device_feature_select)) : 0;
    case 0x08: return st_.driver_feature_select;
    case 0x0C: return st_.driver_feature_select < 2 ? uint32_t(st_.driver_features >> (32 * st_.driver_feature_select)) : 0;
    case 0x10: return kNoVector;
    case 0x12: return 1;  // num_queues
    case 0x14: return st_.status;
    case 0x15: return 0;  // config_generation: the configuration never changes
    case 0x16: return st_.queue_select;
    case 0x18: return q0 ? q.size : 0;  // 0: no such queue
    case 0x1A: return kNoVector;
    case 0x1C: return q0 ? q.enabled : 0;
    case 0x1E: return 0;  // queue_notify_off: queue 0 at the start of the notification area
    case 0x20: return q0 ? q.desc : 0;
    case 0x28: return q0 ? q.driver : 0;
    case 0x30: return q0 ? q.device : 0;
  }
  return 0;
}

void VirtioBlk::set_common_field(unsigned off, uint64_t v) {
  SplitQueue::State& q = queue_.state();
  const bool q0 = st_.queue_select == 0;
  const auto set_half = [&](uint64_t& field, unsigned select) {
    if (select < 2) field = (field & ~(0xFFFFFFFFull << (32 * select))) | (uint64_t(uint32_t(v)) << (32 * select));
  };
  switch (off) {
    case 0x00: st_.device_feature_select = uint32_t(v); break;
    case 0x08: st_.driver_feature_select = uint32_t(v); break;
    case 0x0C:
      if (!(st_.status & kFeaturesOk)) set_half(st_.driver_features, st_.driver_feature_select);
      break;
    case 0x14: write_status(uint8_t(v)); break;
    case 0x16: st_.queue_select = uint16_t(v); break;
    // A size the driver picks must be a power of two no larger than the maximum (§2.6).
    case 0x18:
      if (q0 && !q.enabled && v && v <= SplitQueue::kMaxSize && !(v & (v - 1))) q.size = uint16_t(v);
      break;
    case 0x1C:
      if (q0 && v == 1) q.enabled = 1;
      break;
    case 0x20: if (q0 && !q.enabled) q.desc = v; break;
    case 0x28: if (q0 && !q.enabled) q.driver = v; break;
    case 0x30: if (q0 && !q.enabled) q.device = v; break;
    default: break;  // read-only fields
  }
}

// Writing 0 resets the device (§4.1.4.3.1). FEATURES_OK sticks only if the
// driver accepted VERSION_1 and nothing that was not offered (§3.1.1).
void VirtioBlk::write_status(uint8_t v) {
  if (v == 0) return reset();
  if ((v & kFeaturesOk) && !(st_.status & kFeaturesOk)) {
    const uint64_t f = st_.driver_features;
    if ((f & ~features()) || !(f & kVersion1)) v &= uint8_t(~kFeaturesOk);
  }
  st_.status = uint8_t(v | (st_.status & kNeedsReset));
}

uint64_t VirtioBlk::bar_read(unsigned n, uint64_t offset, unsigned size) {
  if (n != kBar) return PciFunction::bar_read(n, offset, size);
  uint64_t v = 0;
  if (offset < kCommon + kRegion) {
    for (const Field& f : kFields)  // every field the access overlaps, byte by byte
      for (unsigned i = 0; i < f.width; ++i)
        if (f.off + i >= offset && f.off + i < offset + size)
          v |= ((common_field(f.off) >> (8 * i)) & 0xFF) << (8 * (f.off + i - offset));
  } else if (offset < kIsr + kRegion) {
    v = st_.isr;  // reading clears it and drops INTx (§4.1.4.5)
    st_.isr = 0;
    set_intx(false);
  } else if (offset < kDevice + kRegion) {
    // struct virtio_blk_config: capacity, size_max, seg_max, geometry, blk_size (§5.2.4).
    std::array<uint8_t, 0x40> c{};
    const auto put_le = [&](unsigned at, uint64_t x, unsigned w) {
      for (unsigned i = 0; i < w; ++i) c[at + i] = uint8_t(x >> (8 * i));
    };
    put_le(0, disk_->sectors(), 8);
    put_le(12, SplitQueue::kMaxSize - 2, 4);
    put_le(20, DiskImage::kSector, 4);
    for (unsigned i = 0; i < size; ++i)
      if (offset - kDevice + i < c.size()) v |= uint64_t(c[offset - kDevice + i]) << (8 * i);
  }
  return v;  // the notification area reads as zero
}

void VirtioBlk::bar_write(unsigned n, uint64_t offset, unsigned size, uint64_t value) {
  if (n != kBar) return;
  if (offset < kCommon + kRegion) {
    for (const Field& f : kFields) {
      if (f.off + f.width <= offset || f.off >= offset + size) continue;
      uint64_t v = common_field(f.off);  // a partial write keeps the field's other bytes
      for (unsigned i = 0; i < f.width; ++i)
        if (f.off + i >= offset && f.off + i < offset + size) {
          const uint64_t b = (value >> (8 * (f.off + i - offset))) & 0xFF;
          v = (v & ~(0xFFull << (8 * i))) | b << (8 * i);
        }
      set_common_field(f.off, v);
    }
  } else if (offset >= kNotify && offset < kNotify + kRegion) {
    if (offset == kNotify && uint16_t(value) == 0) notified();  // queue 0's doorbell
  }
}

// The PCI configuration access window: a read or write of pci_cfg_data is an
// access of `length` (1, 2 or 4, aligned) bytes at `offset` in BAR `bar`.
bool VirtioBlk::window(unsigned reg, unsigned size, uint32_t& off, uint32_t& len) const {
  if (reg + size <= kCfgData || reg >= kCfgData + 4 || peek(kCfgBar, 1) != kBar) return false;
  off = peek(kCfgOffset, 4), len = peek(kCfgLength, 4);
  return (len == 1 || len == 2 || len == 4) && off % len == 0 && off + len <= kBarSize;
}

void VirtioBlk::config_reading(unsigned reg, unsigned size) {
  uint32_t off = 0, len = 0;
  if (window(reg, size, off, len)) put(kCfgData, uint32_t(bar_read(kBar, off, len)), 4);
}

void VirtioBlk::config_written(unsigned reg, unsigned size) {
  uint32_t off = 0, len = 0;
  if (window(reg, size, off, len)) bar_write(kBar, off, len, peek(kCfgData, 4));
}

void VirtioBlk::notified() {
  if (clock_.deadline(timer_) != Clock::kNever) return;
  clock_.arm(timer_, clock_.now() + clock_.icount_at_tick(latency_ns_, 1'000'000'000));
}

void VirtioBlk::fail(std::string why) {
  broken_ = std::move(why);
  st_.status |= kNeedsReset;
  st_.isr |= 2;  // a configuration change (§4.1.4.5)
  set_intx(true);
}

void VirtioBlk::serve() {
  const SplitQueue::State& q = queue_.state();
  const bool bus_master = config()[0x04] & 0x04;
  if (!(st_.status & kDriverOk) || (st_.status & kNeedsReset) || !q.enabled || !bus_master || !dma_) return;
  bool completed = false;
  for (;;) {
    uint16_t head = 0;
    std::string why;
    const SplitQueue::Pop p = queue_.pop(dma_, head, chain_, why);
    if (p == SplitQueue::Pop::Empty) break;
    if (p == SplitQueue::Pop::Broken) return fail(std::move(why));
    bool broken = false;
    const uint32_t len = handle(chain_, broken);
    if (broken) return fail("request without a 16-byte header or a status byte");
    if (!queue_.push(dma_, head, len)) return fail("used ring outside RAM");
    completed = true;
  }
  if (completed && queue_.wants_interrupt(dma_)) {
    st_.isr |= 1;
    set_intx(true);
  }
}

uint32_t VirtioBlk::handle(const std::vector<VirtqBuffer>& chain, bool& broken) {
  const Stream in{chain, false}, out{chain, true};  // device-readable, device-writable
  const uint64_t readable = in.total(), writable = out.total();
  uint8_t header[16] = {};
  if (readable < sizeof header || writable < 1) return broken = true, 0;
  const bool header_ok = in.copy(dma_, 0, header, sizeof header);
  uint32_t type = 0;
  uint64_t sector = 0;
  std::memcpy(&type, header, 4);
  std::memcpy(&sector, header + 8, 8);
  const uint64_t data = writable - 1;  // IN: the bytes before the status
  uint8_t status = kOk;
  bool wrote_data = false;
  std::array<uint8_t, DiskImage::kSector> buf;
  const auto range_ok = [&](uint64_t bytes) {
    return bytes % DiskImage::kSector == 0 && sector <= disk_->sectors() &&
           bytes / DiskImage::kSector <= disk_->sectors() - sector;
  };
  switch (header_ok ? type : ~0u) {
    case ~0u: status = kIoErr; break;  // the header is not in RAM
    case kIn:
      if (!range_ok(data)) { status = kIoErr; break; }
      for (uint64_t i = 0; i < data / DiskImage::kSector && status == kOk; ++i)
        if (!disk_->read(sector + i, buf.data()) || !out.copy(dma_, i * DiskImage::kSector, std::as_const(buf).data(), buf.size()))
          status = kIoErr;
      wrote_data = status == kOk;
      break;
    case kOut: {
      const uint64_t bytes = readable - sizeof header;
      if (disk_->read_only() || !range_ok(bytes)) { status = kIoErr; break; }
      for (uint64_t i = 0; i < bytes / DiskImage::kSector && status == kOk; ++i)
        if (!in.copy(dma_, sizeof header + i * DiskImage::kSector, buf.data(), buf.size()) ||
            !disk_->write(sector + i, buf.data()))
          status = kIoErr;
      break;
    }
    case kFlushReq: status = disk_->flush() ? kOk : kIoErr; break;
    case kGetId: {
      // No serial number: an empty, NUL-padded ID string.
      const std::array<uint8_t, kIdBytes> id{};
      const uint64_t n = std::min<uint64_t>(data, kIdBytes);
      if (!out.copy(dma_, 0, id.data(), n)) status = kIoErr;
      wrote_data = status == kOk && n == data;
      break;
    }
    default: status = kUnsupp; break;
  }
  const uint8_t s = status;
  if (!out.copy(dma_, writable - 1, &s, 1)) return 0;  // nowhere to report: the request completes all the same
  return wrote_data || writable == 1 ? uint32_t(writable) : 0;
}

void VirtioBlk::serialize(Serializer& s) {
  PciFunction::serialize(s);
  s.tag("virtio-blk");
  s.io(st_);
  s.io(queue_.state());
  s.io(broken_);
  disk_->serialize(s);
}

std::string VirtioBlk::describe() const {
  const SplitQueue::State& q = queue_.state();
  return fmt::format("virtio-blk: {} ({} sectors{}) status={:#04x} isr={} features={:#x} queue size={} enabled={} "
                     "desc={:#x} avail={:#x} used={:#x} next avail={} used idx={} sectors written={}{}",
                     disk_->path(), disk_->sectors(), disk_->read_only() ? ", read-only" : "", st_.status, st_.isr,
                     st_.driver_features, q.size, q.enabled, q.desc, q.driver, q.device, q.last_avail, q.used_idx,
                     disk_->sectors_written(), broken_.empty() ? "" : " needs reset: " + broken_);
}

}  // namespace slot::emu
