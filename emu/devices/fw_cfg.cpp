#include "emu/devices/fw_cfg.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace slot::emu {

namespace {
// Selectors (QEMU include/standard-headers/linux/qemu_fw_cfg.h).
enum : uint16_t {
  kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNbCpus = 0x05, kMaxCpus = 0x0F, kFileDir = 0x19,
  kFileFirst = 0x20,
};
constexpr uint32_t kIdTraditional = 1, kIdDma = 2;
// DMA control bits (fw_cfg.rst, "FWCfgDmaAccess").
constexpr uint32_t kDmaError = 1, kDmaRead = 2, kDmaSkip = 4, kDmaSelect = 8, kDmaWrite = 16;
constexpr char kDmaSignature[] = "QEMU CFG";
constexpr uint16_t kPortSelector = 0x510, kPortData = 0x511, kPortDma = 0x514;

void put_le(std::vector<uint8_t>& v, uint64_t x, unsigned n) {
  for (unsigned i = 0; i < n; ++i) v.push_back(uint8_t(x >> (8 * i)));
}
void put_be(std::vector<uint8_t>& v, uint64_t x, unsigned n) {
  for (unsigned i = n; i-- > 0;) v.push_back(uint8_t(x >> (8 * i)));
}
uint64_t get_be(const uint8_t* p, unsigned n) {
  uint64_t x = 0;
  for (unsigned i = 0; i < n; ++i) x = x << 8 | p[i];
  return x;
}
}  // namespace

FwCfg::FwCfg(uint64_t ram_bytes) {
  items_[kSignature] = {'Q', 'E', 'M', 'U'};
  put_le(items_[kId], kIdTraditional | kIdDma, 4);
  items_[kUuid].assign(16, 0);
  put_le(items_[kRamSize], ram_bytes, 8);
  put_le(items_[kNbCpus], 1, 2);
  put_le(items_[kMaxCpus], 1, 2);
  build_directory();
}

void FwCfg::add_file(const std::string& name, std::vector<uint8_t> data) {
  files_[name] = std::move(data);
  build_directory();
}

void FwCfg::build_directory() {
  // Directory: count, then {size, select, reserved, name[56]}, big-endian.
  std::vector<uint8_t> dir;
  put_be(dir, files_.size(), 4);
  uint16_t sel = kFileFirst;
  for (auto it = items_.lower_bound(kFileFirst); it != items_.end();) it = items_.erase(it);
  for (const auto& [name, data] : files_) {
    put_be(dir, data.size(), 4);
    put_be(dir, sel, 2);
    put_be(dir, 0, 2);
    char field[56] = {};
    std::strncpy(field, name.c_str(), sizeof field - 1);
    dir.insert(dir.end(), field, field + sizeof field);
    items_[sel++] = data;
  }
  items_[kFileDir] = std::move(dir);
}

const std::vector<uint8_t>* FwCfg::item(uint16_t selector) const {
  const auto it = items_.find(selector);
  return it == items_.end() ? nullptr : &it->second;
}

void FwCfg::select(uint16_t selector) {
  st_.selector = selector;
  st_.offset = 0;
}

uint32_t FwCfg::io_read(uint16_t port, unsigned size) {
  if (port == kPortSelector) return 0;  // the selector register reads 0 (QEMU 7.2)
  uint32_t v = 0;
  for (unsigned i = 0; i < size; ++i) {
    const uint16_t p = uint16_t(port + i);
    uint8_t b = 0xFF;
    if (p == kPortData) {
      const std::vector<uint8_t>* it = item(st_.selector);
      b = 0;  // zeros past the end, or for a selector with no item
      if (it && st_.offset < it->size()) b = (*it)[st_.offset++];
    } else if (p >= kPortDma && p < kPortDma + 8) {
      b = uint8_t(kDmaSignature[p - kPortDma]);
    }
    v |= uint32_t(b) << (8 * i);
  }
  return v;
}

void FwCfg::io_write(uint16_t port, unsigned size, uint32_t value) {
  if (port == kPortSelector) {
    select(uint16_t(size == 1 ? value & 0xFF : value));
    return;
  }
  if (port == kPortDma && size == 4) {
    st_.dma_high = __builtin_bswap32(value);  // a big-endian register
    return;
  }
  if (port == kPortDma + 4 && size == 4) {
    const uint64_t address = uint64_t(st_.dma_high) << 32 | __builtin_bswap32(value);
    st_.dma_high = 0;
    dma_transfer(address);
  }
  // Writes to the data port are ignored (the interface is read-only since QEMU 2.4).
}

void FwCfg::dma_transfer(uint64_t address) {
  uint8_t acc[16];
  if (!dma_.read || !dma_.read(address, acc, sizeof acc)) return;
  uint32_t control = uint32_t(get_be(acc, 4));
  uint32_t length = uint32_t(get_be(acc + 4, 4));
  uint64_t target = get_be(acc + 8, 8);
  if (control & kDmaSelect) select(uint16_t(control >> 16));
  bool error = false;
  if (control & kDmaWrite) {
    error = true;  // read-only interface
  } else if (control & (kDmaRead | kDmaSkip)) {
    const std::vector<uint8_t>* it = item(st_.selector);
    const uint64_t avail = it && st_.offset < it->size() ? it->size() - st_.offset : 0;
    const uint64_t n = std::min<uint64_t>(avail, length);
    if (control & kDmaRead) {
      // Past the item's end the guest buffer is filled with zeros (fw_cfg.rst).
      std::vector<uint8_t> data(length, 0);
      if (n) std::memcpy(data.data(), it->data() + st_.offset, n);
      error = dma_.write && length && !dma_.write(target, data.data(), length);
    }
    st_.offset += uint32_t(n);
  }
  const uint32_t done = error ? kDmaError : 0;
  const uint8_t be[4] = {uint8_t(done >> 24), uint8_t(done >> 16), uint8_t(done >> 8), uint8_t(done)};
  if (dma_.write) dma_.write(address, be, 4);
}

void FwCfg::serialize(Serializer& s) {
  s.tag("fw_cfg");
  s.io(st_);
}

std::string FwCfg::dump() const {
  char b[96];
  std::snprintf(b, sizeof b, "fw_cfg: selector=%#x offset=%u files=%zu\n", st_.selector, st_.offset, files_.size());
  return b;
}

}  // namespace slot::emu
