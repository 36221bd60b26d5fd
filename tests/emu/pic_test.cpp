// 8259A tests. Expected values come from the Intel 8259A datasheet (order no.
// 231468): the interrupt sequence, fully nested priority, ICW/OCW formats,
// special mask mode, poll command and spurious IR7; and from QEMU 7.2 where a
// guest observed it (firmware state).
#include <gtest/gtest.h>

#include <vector>

#include "emu/devices/pic8259.h"

using slot::emu::Pic8259;

namespace {

struct Pic : ::testing::Test {
  Pic8259 pic;
  std::vector<bool> intr_changes;
  void SetUp() override {
    pic.reset();
    pic.set_intr_listener([this](bool v) { intr_changes.push_back(v); });
  }
  void out(uint16_t port, uint8_t v) { pic.io_write(port, 1, v); }
  uint8_t in(uint16_t port) { return uint8_t(pic.io_read(port, 1)); }
  // Linux's init_8259A: ICW1 0x11, ICW2 vector, ICW3 cascade, ICW4 0x01 (8086, normal EOI).
  void init(uint8_t master_base = 0x20, uint8_t slave_base = 0x28, uint8_t icw4 = 0x01) {
    out(0x20, 0x11); out(0x21, master_base); out(0x21, 0x04); out(0x21, icw4);
    out(0xA0, 0x11); out(0xA1, slave_base); out(0xA1, 0x02); out(0xA1, icw4);
    out(0x21, 0x00);
    out(0xA1, 0x00);
  }
  void pulse(unsigned irq) { pic.set_irq(irq, true); pic.set_irq(irq, false); }
  uint8_t irr(uint16_t cmd) { out(cmd, 0x0A); return in(cmd); }  // OCW3: read IRR
  uint8_t isr(uint16_t cmd) { out(cmd, 0x0B); return in(cmd); }  // OCW3: read ISR
};

TEST_F(Pic, InitSequenceAndVector) {
  init();
  EXPECT_FALSE(pic.intr_pending());
  pulse(0);
  EXPECT_TRUE(pic.intr_pending());
  EXPECT_EQ(irr(0x20), 0x01);
  EXPECT_EQ(pic.intr_ack(), 0x20);
  EXPECT_EQ(isr(0x20), 0x01);  // in service until EOI
  EXPECT_EQ(irr(0x20), 0x00);  // the edge request was consumed by INTA
  EXPECT_FALSE(pic.intr_pending());
  out(0x20, 0x20);  // non-specific EOI
  EXPECT_EQ(isr(0x20), 0x00);
}

TEST_F(Pic, ImrReadWriteAndMasking) {
  init();
  out(0x21, 0xB8);
  EXPECT_EQ(in(0x21), 0xB8);
  pulse(3);  // masked: latched in IRR but no INTR
  EXPECT_EQ(irr(0x20), 0x08);
  EXPECT_FALSE(pic.intr_pending());
  out(0x21, 0x00);  // unmasking lets the latched request through
  EXPECT_TRUE(pic.intr_pending());
  EXPECT_EQ(pic.intr_ack(), 0x23);
}

TEST_F(Pic, FullyNestedPriority) {
  init();
  pulse(3);
  pulse(1);
  EXPECT_EQ(pic.intr_ack(), 0x21);  // IR1 beats IR3
  EXPECT_FALSE(pic.intr_pending()); // IR3 is below the in-service IR1
  pulse(0);
  EXPECT_TRUE(pic.intr_pending());  // IR0 is above IR1: nests
  EXPECT_EQ(pic.intr_ack(), 0x20);
  EXPECT_EQ(isr(0x20), 0x03);
  out(0x20, 0x20);  // EOI clears the highest in-service level (IR0)
  EXPECT_EQ(isr(0x20), 0x02);
  EXPECT_FALSE(pic.intr_pending());
  out(0x20, 0x20);
  EXPECT_TRUE(pic.intr_pending());
  EXPECT_EQ(pic.intr_ack(), 0x23);
}

TEST_F(Pic, CascadeThroughIr2) {
  init();
  pulse(10);
  EXPECT_TRUE(pic.intr_pending());
  EXPECT_EQ(pic.intr_ack(), 0x2A);
  EXPECT_EQ(isr(0x20), 0x04);  // master IR2 in service
  EXPECT_EQ(isr(0xA0), 0x04);  // slave IR2 (IRQ 10) in service
  out(0xA0, 0x20);
  out(0x20, 0x20);
  EXPECT_EQ(isr(0x20), 0x00);
  EXPECT_EQ(isr(0xA0), 0x00);
}

TEST_F(Pic, SlaveBlockedBehindMasterInService) {
  init();
  pulse(1);
  EXPECT_EQ(pic.intr_ack(), 0x21);
  pulse(9);  // slave IR1 -> master IR2, below the in-service IR1
  EXPECT_FALSE(pic.intr_pending());
  out(0x20, 0x20);
  EXPECT_EQ(pic.intr_ack(), 0x29);
}

TEST_F(Pic, EdgeTriggeredNeedsNewRisingEdge) {
  init();
  pic.set_irq(4, true);
  EXPECT_EQ(pic.intr_ack(), 0x24);
  out(0x20, 0x20);
  EXPECT_FALSE(pic.intr_pending());  // line still high, but no new edge
  pic.set_irq(4, true);
  EXPECT_FALSE(pic.intr_pending());
  pic.set_irq(4, false);
  pic.set_irq(4, true);
  EXPECT_TRUE(pic.intr_pending());
}

TEST_F(Pic, LevelTriggeredModeFollowsLine) {
  out(0x20, 0x19); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x01);  // ICW1 with LTIM
  out(0x21, 0x00);
  pic.set_irq(5, true);
  EXPECT_EQ(pic.intr_ack(), 0x25);
  out(0x20, 0x20);
  EXPECT_TRUE(pic.intr_pending());  // still high: requests again
  pic.set_irq(5, false);
  EXPECT_FALSE(pic.intr_pending());
}

TEST_F(Pic, AutoEoiLeavesIsrClear) {
  init(0x20, 0x28, 0x03);  // ICW4: AEOI
  pulse(6);
  EXPECT_EQ(pic.intr_ack(), 0x26);
  EXPECT_EQ(isr(0x20), 0x00);
  pulse(7);
  EXPECT_TRUE(pic.intr_pending());  // nothing in service blocks a lower level
}

TEST_F(Pic, SpecificEoi) {
  init();
  pulse(5);
  EXPECT_EQ(pic.intr_ack(), 0x25);
  pic.set_irq(2, true);  // a request straight on master IR2 (no slave request behind it)
  EXPECT_EQ(pic.intr_ack(), 0x2F);  // master IR2 with no slave request: spurious slave IR7
  EXPECT_EQ(isr(0x20), 0x24);
  out(0x20, 0x65);  // specific EOI for IR5 (OCW2 011 00 101)
  EXPECT_EQ(isr(0x20), 0x04);
}

TEST_F(Pic, SpuriousMasterIr7) {
  init();
  EXPECT_EQ(pic.intr_ack(), 0x27);  // INTA with no request: IR7 vector, ISR untouched
  EXPECT_EQ(isr(0x20), 0x00);
  pulse(3);
  out(0x21, 0x08);  // request masked away before INTA
  EXPECT_EQ(pic.intr_ack(), 0x27);
  EXPECT_EQ(isr(0x20), 0x00);
}

TEST_F(Pic, SpuriousSlaveIr15NeedsMasterEoi) {
  init();
  pulse(11);
  EXPECT_TRUE(pic.intr_pending());
  out(0xA1, 0x08);  // the slave request disappears; the master already latched IR2
  EXPECT_EQ(pic.intr_ack(), 0x2F);
  EXPECT_EQ(isr(0xA0), 0x00);
  EXPECT_EQ(isr(0x20), 0x04);  // the master saw a real IR2: it must get an EOI
}

TEST_F(Pic, SetPriorityRotatesOrder) {
  init();
  out(0x20, 0xC4);  // OCW2 set priority: IR4 lowest, so IR5 highest
  pulse(3);
  pulse(6);
  EXPECT_EQ(pic.intr_ack(), 0x26);
  out(0x20, 0x20);
  EXPECT_EQ(pic.intr_ack(), 0x23);
}

TEST_F(Pic, RotateOnNonSpecificEoi) {
  init();
  pulse(1);
  EXPECT_EQ(pic.intr_ack(), 0x21);
  out(0x20, 0xA0);  // rotate on non-specific EOI: IR1 becomes lowest, IR2 highest
  pulse(0);
  pulse(3);
  EXPECT_EQ(pic.intr_ack(), 0x23);  // IR3 now outranks IR0
}

TEST_F(Pic, PollCommand) {
  init();
  pulse(5);
  out(0x20, 0x0C);  // OCW3 poll
  EXPECT_EQ(in(0x20), 0x85);
  EXPECT_EQ(isr(0x20), 0x20);  // the poll read acts as INTA
  out(0x20, 0x20);
  out(0x20, 0x0C);
  EXPECT_EQ(in(0x20), 0x00);  // nothing pending
}

TEST_F(Pic, SpecialMaskModeAllowsLowerLevels) {
  init();
  pulse(3);
  EXPECT_EQ(pic.intr_ack(), 0x23);
  pulse(5);
  EXPECT_FALSE(pic.intr_pending());
  out(0x21, 0x08);  // mask the in-service IR3
  out(0x20, 0x68);  // OCW3: set special mask mode
  EXPECT_TRUE(pic.intr_pending());
  EXPECT_EQ(pic.intr_ack(), 0x25);
  out(0x20, 0x48);  // reset special mask mode
  EXPECT_EQ(isr(0x20), 0x28);
}

TEST_F(Pic, SpecialFullyNestedLetsSlaveNest) {
  // ICW4 0x11 on the master: SFNM. A higher slave level may interrupt while IR2 is in service.
  out(0x20, 0x11); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x11);
  out(0xA0, 0x11); out(0xA1, 0x28); out(0xA1, 0x02); out(0xA1, 0x01);
  out(0x21, 0); out(0xA1, 0);
  pulse(12);
  EXPECT_EQ(pic.intr_ack(), 0x2C);
  pulse(9);  // slave IR1 is above the slave's in-service IR4
  EXPECT_TRUE(pic.intr_pending());
  EXPECT_EQ(pic.intr_ack(), 0x29);
}

TEST_F(Pic, WithoutSfnmSlaveDoesNotNest) {
  init();
  pulse(12);
  EXPECT_EQ(pic.intr_ack(), 0x2C);
  pulse(9);
  EXPECT_FALSE(pic.intr_pending());  // master IR2 in service blocks its own level
}

TEST_F(Pic, Icw1ClearsImrAndRequests) {
  init();
  out(0x21, 0x55);
  pulse(4);
  out(0x20, 0x11);
  out(0x21, 0x40);
  out(0x21, 0x04);
  out(0x21, 0x01);
  EXPECT_EQ(in(0x21), 0x00);
  EXPECT_EQ(irr(0x20), 0x00);
  EXPECT_FALSE(pic.intr_pending());
}

TEST_F(Pic, ReadRegisterSelectIsSticky) {
  init();
  pulse(2);
  out(0x20, 0x0A);
  EXPECT_EQ(in(0x20), 0x04);
  EXPECT_EQ(in(0x20), 0x04);  // still IRR without a new OCW3
  (void)pic.intr_ack();
  out(0x20, 0x0B);
  EXPECT_EQ(in(0x20), 0x04);
  EXPECT_EQ(in(0x20), 0x04);
}

TEST_F(Pic, IntrListenerSeesEveryChange) {
  init();
  intr_changes.clear();
  pulse(0);
  (void)pic.intr_ack();
  EXPECT_EQ(intr_changes, (std::vector<bool>{true, false}));
}

TEST_F(Pic, FirmwareStateMatchesQemu) {
  // QEMU 7.2 + SeaBIOS, read by a multiboot guest: IMR 0xB8 / 0x8E; IRQ 0 -> vector 0x08, IRQ 8 -> 0x70.
  pic.firmware_setup();
  EXPECT_EQ(in(0x21), 0xB8);
  EXPECT_EQ(in(0xA1), 0x8E);
  pulse(0);
  EXPECT_EQ(pic.intr_ack(), 0x08);
  out(0x20, 0x20);
  pulse(8);
  EXPECT_EQ(pic.intr_ack(), 0x70);
}

}  // namespace
