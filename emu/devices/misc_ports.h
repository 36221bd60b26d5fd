// Small port devices: QEMU's isa-debug-exit, the POST code port, and the
// three ways a PC kernel resets the machine.
#pragma once
#include <cstdint>
#include <functional>

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

// The reset lines of a PC, each as QEMU's pc machine decodes it: port 0x92
// (System Control Port A: bit 0 rising = fast reset, bit 1 = A20, reads
// back; QEMU's reads give 2 at entry), port 0xCF9 (PIIX3 Reset Control:
// a write with bit 2 set resets; reads 0) and the 8042 keyboard controller at
// 0x60/0x64 (command 0xFE pulses the reset line, as does an output-port
// write with bit 0 clear after command 0xD1; status reads 0x1C as QEMU's at
// entry). The controller has no keyboard or mouse behind it. `reset` is
// called with the path's name; the machine stops as QEMU does with -no-reboot.
class ResetPorts final : public Device {
 public:
  using ResetFn = std::function<void(const char* how)>;
  explicit ResetPorts(ResetFn reset) : reset_(std::move(reset)) {}
  const char* name() const override { return "reset"; }
  void reset() override { st_ = State{}; }
  void serialize(Serializer& s) override { s.tag("reset-ports"); s.io(st_); }
  std::string dump() const override;

 protected:
  uint8_t read8(uint16_t port) override;
  void write8(uint16_t port, uint8_t value) override;

 private:
  struct State {
    uint8_t port92 = 0x02;      // A20 on
    uint8_t cf9 = 0;
    uint8_t kbc_command = 0;    // the command whose data byte is awaited (0xD1), or 0
  };
  ResetFn reset_;
  State st_{};
};

}  // namespace slot::emu
