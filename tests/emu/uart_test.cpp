// 16550A tests. Oracles: the PC16550D datasheet register descriptions, the
// probing Linux's 8250 driver does (autoconfig: loopback MSR test, FIFO
// detection through IIR bits 7-6), and register values a guest read under
// QEMU 7.2 (reset state).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "emu/devices/uart16550.h"

using slot::emu::StringSink;
using slot::emu::Uart16550;

namespace {

struct Uart : ::testing::Test {
  std::vector<bool> irq;
  Uart16550 uart{0x3F8, [this](bool l) { irq.push_back(l); }};
  StringSink* sink = nullptr;
  void SetUp() override {
    auto s = std::make_unique<StringSink>();
    sink = s.get();
    uart.set_sink(std::move(s));
    uart.reset();
    irq.clear();
  }
  void out(unsigned reg, uint8_t v) { uart.io_write(uint16_t(0x3F8 + reg), 1, v); }
  uint8_t in(unsigned reg) { return uint8_t(uart.io_read(uint16_t(0x3F8 + reg), 1)); }
};

TEST_F(Uart, ResetStateMatchesQemu) {
  EXPECT_EQ(in(1), 0x00);  // IER
  EXPECT_EQ(in(2), 0x01);  // IIR: no interrupt
  EXPECT_EQ(in(3), 0x00);  // LCR
  EXPECT_EQ(in(4), 0x08);  // MCR: OUT2
  EXPECT_EQ(in(5), 0x60);  // LSR: THRE | TEMT
  EXPECT_EQ(in(6), 0xB0);  // MSR: DCD | DSR | CTS
  EXPECT_EQ(in(7), 0x00);  // SCR
  EXPECT_FALSE(uart.irq_level());
}

TEST_F(Uart, WordAccessIsTwoByteRegisters) {
  // QEMU 7.2: inw 0x3fc = MCR | LSR << 8, inl 0x3f8 = RBR IER IIR LCR.
  EXPECT_EQ(uart.io_read(0x3FC, 2), 0x6008u);
  EXPECT_EQ(uart.io_read(0x3F8, 4), 0x00010000u);
  uart.io_write(0x3FE, 2, 0xA5C3);  // MSR ignores the write, SCR takes 0xA5
  EXPECT_EQ(in(7), 0xA5);
}

TEST_F(Uart, TransmitGoesToSink) {
  for (char c : std::string("hi\n")) out(0, uint8_t(c));
  EXPECT_EQ(sink->text(), "hi\n");
  EXPECT_EQ(in(5) & 0x60, 0x60);  // THR empty again at once
}

TEST_F(Uart, DivisorLatchAccess) {
  out(3, 0x80);  // DLAB
  out(0, 0x01);
  out(1, 0x02);
  EXPECT_EQ(in(0), 0x01);
  EXPECT_EQ(in(1), 0x02);
  out(3, 0x03);  // 8N1, DLAB off
  EXPECT_EQ(sink->text(), "");  // DLL writes are not data
  EXPECT_EQ(in(1), 0x00);       // IER was not touched
  EXPECT_EQ(in(3), 0x03);
}

TEST_F(Uart, ThreInterruptLifecycle) {
  out(1, 0x02);  // enable THRE interrupt while THR is empty: pending at once
  EXPECT_EQ(in(2), 0x02);  // reading IIR with THRE as the source clears it
  EXPECT_EQ(in(2), 0x01);
  EXPECT_EQ(irq, (std::vector<bool>{true, false}));
  out(0, 'x');  // a write makes THR empty again right away: pending again
  EXPECT_TRUE(uart.irq_level());
  out(1, 0x00);
  EXPECT_FALSE(uart.irq_level());
}

TEST_F(Uart, LoopbackMirrorsModemLines) {
  // Linux 8250 autoconfig: MCR = LOOP | OUT2 | RTS must read back MSR & 0xF0 == 0x90 (DCD | CTS).
  out(4, 0x1A);
  EXPECT_EQ(in(6) & 0xF0, 0x90);
  out(4, 0x1F);  // all four outputs: DCD RI DSR CTS
  EXPECT_EQ(in(6) & 0xF0, 0xF0);
  out(4, 0x10);
  uint8_t msr = in(6);
  EXPECT_EQ(msr & 0xF0, 0x00);
  EXPECT_EQ(msr & 0x0F, 0x0F);  // DCTS DDSR TERI DDCD: every line changed, RI fell
  EXPECT_EQ(in(6) & 0x0F, 0x00);  // deltas clear on read
}

TEST_F(Uart, LoopbackDataReturnsToReceiver) {
  out(4, 0x10);
  out(0, 0x5A);
  EXPECT_EQ(sink->text(), "");
  EXPECT_EQ(in(5) & 0x01, 0x01);
  EXPECT_EQ(in(0), 0x5A);
  EXPECT_EQ(in(5) & 0x01, 0x00);
}

TEST_F(Uart, ReceiveRaisesDataAvailable) {
  out(1, 0x01);
  uart.receive('A');
  EXPECT_EQ(in(2), 0x04);
  EXPECT_TRUE(uart.irq_level());
  EXPECT_EQ(in(0), 'A');
  EXPECT_EQ(in(2), 0x01);
  EXPECT_FALSE(uart.irq_level());
}

TEST_F(Uart, OverrunWithoutFifo) {
  uart.receive('1');
  uart.receive('2');
  EXPECT_EQ(in(5) & 0x03, 0x03);  // DR | OE
  EXPECT_EQ(in(5) & 0x02, 0x00);  // OE clears on read
  EXPECT_EQ(in(0), '2');
}

TEST_F(Uart, LineStatusInterruptHasPriority) {
  out(1, 0x05);  // RDA and line status
  uart.receive('1');
  uart.receive('2');  // overrun
  EXPECT_EQ(in(2), 0x06);  // receiver line status outranks data available
  (void)in(5);
  EXPECT_EQ(in(2), 0x04);
}

TEST_F(Uart, FifoDetectionAndTriggerLevels) {
  out(2, 0xC7);  // enable + clear, trigger 14
  EXPECT_EQ(in(2) & 0xC0, 0xC0);  // 16550A: IIR bits 7-6 both set
  out(1, 0x01);
  for (int i = 0; i < 3; ++i) uart.receive(uint8_t('a' + i));
  EXPECT_EQ(in(2), 0xCC);  // below the trigger: character timeout
  for (int i = 3; i < 14; ++i) uart.receive(uint8_t('a' + i));
  EXPECT_EQ(in(2), 0xC4);  // at the trigger level
  std::string got;
  while (in(5) & 1) got += char(in(0));
  EXPECT_EQ(got, "abcdefghijklmn");
  out(2, 0x00);
  EXPECT_EQ(in(2) & 0xC0, 0x00);
}

TEST_F(Uart, FifoOverflowSetsOverrun) {
  out(2, 0x01);
  for (int i = 0; i < 17; ++i) uart.receive(uint8_t(i));
  EXPECT_EQ(in(5) & 0x02, 0x02);
  int n = 0;
  while (in(5) & 1) EXPECT_EQ(in(0), n++);
  EXPECT_EQ(n, 16);
}

TEST_F(Uart, ScratchRegister) {
  out(7, 0x5A);
  EXPECT_EQ(in(7), 0x5A);
}

}  // namespace
