// virtio-blk as a modern (virtio 1.x, non-transitional) PCI device, the
// layout of QEMU 7.2's `-device virtio-blk-pci,disable-legacy=on,vectors=0`:
// vendor 0x1AF4, device 0x1042, revision 1, class 01/00, subsystem
// 1AF4:1100, INTA; one 64-bit prefetchable memory BAR 4 of 16 KiB holding
// the common configuration (+0x0000), the ISR status (+0x1000), the device
// configuration (+0x2000) and the notification area (+0x3000, multiplier
// 4), named by vendor capabilities at 0x40-0x70, and the PCI configuration
// access capability at 0x84 (virtio 1.1 §4.1.4).
//
// One request queue of up to 256 entries. Requests (§5.2.6): IN, OUT, FLUSH
// and GET_ID; other types answer UNSUPP; a misaligned or out-of-range
// transfer, or a write to a read-only image, answers IOERR. A ring the
// driver broke (virtqueue.h) sets DEVICE_NEEDS_RESET and raises a
// configuration interrupt, and the queue stops until the driver resets the
// device -- never a host crash, never a stray write to the image.
//
// Time: a notification arms a completion at a fixed guest time later
// (the latency: kDefaultLatencyNs, or --disk-latency-us); then every available request is served, the used ring
// updated and INTx raised (ISR bit 0) unless the driver suppressed it.
// Nothing happens while bus mastering is off in the command register.
// Differences from QEMU: no MSI-X and no legacy interface (see the
// identity above); a used length counts only the bytes written from the
// first writable byte on (QEMU reports every writable byte even on error).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "emu/devices/clock.h"
#include "emu/devices/disk_image.h"
#include "emu/devices/pci.h"
#include "emu/devices/virtqueue.h"

namespace slot::emu {

class VirtioBlk final : public PciFunction {
 public:
  static constexpr uint64_t kDefaultLatencyNs = 10'000;  // notify to completion, in guest time
  static constexpr unsigned kBar = 4;
  static constexpr uint64_t kBarSize = 0x4000;
  // Device status bits (§2.1).
  static constexpr uint8_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8, kNeedsReset = 64;
  // Feature bits offered.
  static constexpr uint64_t kSegMax = 1ull << 2, kRo = 1ull << 5, kBlkSize = 1ull << 6, kFlush = 1ull << 9,
                            kVersion1 = 1ull << 32;

  VirtioBlk(Clock& clock, std::unique_ptr<DiskImage> disk, uint64_t latency_ns = kDefaultLatencyNs);
  void set_dma(Dma dma) { dma_ = std::move(dma); }
  uint64_t features() const { return kSegMax | kBlkSize | kFlush | kVersion1 | (disk_->read_only() ? kRo : 0); }

  uint64_t bar_read(unsigned n, uint64_t offset, unsigned size) override;
  void bar_write(unsigned n, uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void serialize(Serializer& s) override;
  std::string describe() const override;

 private:
  void config_written(unsigned reg, unsigned size) override;
  void config_reading(unsigned reg, unsigned size) override;
  // An access of pci_cfg_data: the BAR offset and length the window names, if valid.
  bool window(unsigned reg, unsigned size, uint32_t& off, uint32_t& len) const;
  uint64_t common_field(unsigned off) const;
  void set_common_field(unsigned off, uint64_t v);
  void write_status(uint8_t v);
  void notified();
  void serve();  // the completion time: every available request
  // One request; returns the used length, sets `broken` on a chain that cannot carry a status.
  uint32_t handle(const std::vector<VirtqBuffer>& chain, bool& broken);
  void fail(std::string why);

  Clock& clock_;
  Clock::TimerId timer_;
  std::unique_ptr<DiskImage> disk_;
  uint64_t latency_ns_;
  Dma dma_;
  SplitQueue queue_;
  struct State {
    uint32_t device_feature_select, driver_feature_select;
    uint64_t driver_features;
    uint16_t queue_select;
    uint8_t status, isr;
  };
  State st_{};
  std::string broken_;  // why the device last needed a reset (for the debugger)
  std::vector<VirtqBuffer> chain_;  // scratch
};

}  // namespace slot::emu
