// Small port devices: QEMU's isa-debug-exit and the POST code port.
#pragma once
#include <cstdint>

#include "emu/devices/device.h"

namespace slot::emu {

// isa-debug-exit (QEMU hw/misc/debugexit.c), mapped as QEMU is run for our
// tests: `-device isa-debug-exit,iobase=0xf4,iosize=0x04`. A write of value v
// (of the access width) asks the process to exit with status (v << 1) | 1;
// the run loop polls requested(). Reads return 0, as in QEMU 7.2.
class DebugExit final : public Device {
 public:
  const char* name() const override { return "isa-debug-exit"; }
  void reset() override { st_ = {}; }
  uint32_t io_read(uint16_t, unsigned) override { return 0; }
  void io_write(uint16_t, unsigned, uint32_t value) override {
    st_.requested = true;
    st_.value = value;
  }
  void serialize(Serializer& s) override { s.tag("debug-exit"); s.io(st_); }
  std::string dump() const override;

  bool requested() const { return st_.requested; }
  uint32_t value() const { return st_.value; }
  // The status QEMU passes to exit(); the shell sees it modulo 256.
  uint32_t status() const { return (st_.value << 1) | 1; }

 private:
  struct State {
    bool requested;
    uint32_t value;
  };
  State st_{};
};

// Port 0x80, where firmware and kernels write POST codes (and which some use
// as a short I/O delay). Writes are remembered for the debug dump; reads
// return 0xFF as in QEMU, where nothing decodes the port.
class PostPort final : public Device {
 public:
  const char* name() const override { return "post"; }
  void reset() override { st_ = {}; }
  uint32_t io_read(uint16_t, unsigned size) override { return all_ones(size); }
  void io_write(uint16_t, unsigned, uint32_t value) override {
    st_.last = uint8_t(value);
    ++st_.writes;
  }
  void serialize(Serializer& s) override { s.tag("post"); s.io(st_); }
  std::string dump() const override;

 private:
  struct State {
    uint8_t last;
    uint64_t writes;
  };
  State st_{};
};

}  // namespace slot::emu
