// 16550A UART (COM1 at 0x3F8, IRQ 4 on our board). Reference: National
// Semiconductor PC16550D datasheet, "Registers" (table II and sections 8.1-8.11).
//
// Emulated: RBR/THR, IER, IIR (priority: line status > received data >
// character timeout > THR empty > modem status; bits 7-6 set with FIFOs on),
// FCR (enable, clear, trigger level), LCR (DLAB), MCR with loopback (MSR
// mirrors MCR, transmitted bytes come back to the receiver), LSR (DR, OE,
// THRE, TEMT; error bits clear on read), MSR (deltas clear on read), SCR,
// DLL/DLM, a 16-byte receive FIFO fed by receive().
// Transmission is instantaneous (THRE and TEMT are set again right away, and
// a THR-empty interrupt is pending again after each write), as in QEMU; baud
// rate and framing are stored but have no timing effect. The character
// timeout interrupt is reported as soon as the FIFO holds fewer bytes than
// the trigger level (zero timeout). The IRQ line is not gated by MCR.OUT2
// (QEMU does not gate it either; a real PC board does).
#pragma once
#include <cstdint>
#include <memory>

#include "emu/devices/device.h"
#include "emu/devices/serial_sink.h"

namespace slot::emu {

class Uart16550 final : public Device {
 public:
  Uart16550(uint16_t base, IrqLine irq) : base_(base), irq_(std::move(irq)) {}
  const char* name() const override { return "uart16550"; }
  void reset() override;  // QEMU's reset values: LSR 0x60, MSR 0xB0, MCR 0x08 (OUT2), IIR 0x01
  void serialize(Serializer& s) override;  // registers and FIFO; not the sink
  std::string dump() const override;

  // The sink is not part of the machine state; with none, output is dropped.
  void set_sink(std::unique_ptr<SerialSink> sink) { sink_ = std::move(sink); }
  SerialSink* sink() const { return sink_.get(); }

  // A byte arriving on the serial line (debugger console input).
  void receive(uint8_t byte);

  bool irq_level() const { return st_.irq_level; }

 protected:
  uint8_t read8(uint16_t port) override;
  void write8(uint16_t port, uint8_t value) override;

 private:
  struct State {
    uint8_t rx[16];
    uint8_t rx_head, rx_count, rbr;
    uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
    bool thr_ipending;
    bool irq_level;
    uint64_t tx_bytes;
  };

  uint8_t iir() const;
  void update_irq();
  void update_msr();
  void transmit(uint8_t byte);
  unsigned trigger_level() const;

  uint16_t base_;
  IrqLine irq_;
  std::unique_ptr<SerialSink> sink_;
  State st_{};
};

}  // namespace slot::emu
