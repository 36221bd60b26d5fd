// Board-level tests: the port map (unassigned ports, split accesses), the
// firmware state a multiboot guest finds under QEMU 7.2 (values read by a
// guest there), isa-debug-exit, port 0x61, PIT -> PIC -> CPU wiring, the
// run-loop clock contract, snapshots and the VGA text helper.
#include <gtest/gtest.h>

#include <cstring>

#include "emu/devices/board.h"
#include "tests/emu/board_fixture.h"
#include "emu/devices/vga_text.h"

using namespace slot::emu;

namespace {


TEST_F(BoardTest, UnassignedPortsReadAllOnes) {
  // QEMU 7.2: inb/inw/inl 0x200 = 0xff / 0xffff / 0xffffffff; 0xe9, 0x2f8, 0x3f0 (nothing there) = 0xff.
  EXPECT_EQ(board.io_in(0x200, 1), 0xFFu);
  EXPECT_EQ(board.io_in(0x200, 2), 0xFFFFu);
  EXPECT_EQ(board.io_in(0x200, 4), 0xFFFFFFFFu);
  for (uint16_t p : {0x00E9, 0x02F8, 0x03F0, 0x5A10, 0xFFFF}) EXPECT_EQ(board.io_in(p, 1), 0xFFu) << p;
  board.io_out(0x200, 4, 0x12345678);  // ignored
  EXPECT_EQ(board.io_in(0x200, 4), 0xFFFFFFFFu);
}

TEST_F(BoardTest, EveryPortAndSizeIsSafe) {
  Board b;  // unbound clock: time stands at 0
  for (uint32_t p = 0; p <= 0xFFFF; ++p) {
    for (unsigned size : {1u, 2u, 4u}) {
      uint32_t v = b.io_in(uint16_t(p), size);
      bool any = false;
      for (unsigned i = 0; i < size; ++i) any |= b.ports().device_at(uint16_t(p + i)) != nullptr;
      if (!any) {
        ASSERT_EQ(v, all_ones(size)) << p;
      }
    }
  }
  for (uint32_t p = 0; p <= 0xFFFF; ++p)
    if (p < 0xF1 || p > 0xF7) b.io_out(uint16_t(p), 4, 0);  // 0xF1-0xF7 would reach isa-debug-exit
  EXPECT_FALSE(b.exit_requested());
}

TEST_F(BoardTest, AccessesSplitAtDeviceBoundaries) {
  // QEMU 7.2: inw 0x3f8 = 0x0000, inl 0x3f8 = 0x00010000, inw 0x3fe = 0x00b0, inw 0x40 reads ch0 twice.
  EXPECT_EQ(board.io_in(0x3F8, 2), 0x0000u);
  EXPECT_EQ(board.io_in(0x3F8, 4), 0x00010000u);
  EXPECT_EQ(board.io_in(0x3FE, 2), 0x00B0u);
  EXPECT_EQ(board.io_in(0x3FF, 2), 0xFF00u);      // SCR then unassigned 0x400
  EXPECT_EQ(board.io_in(0x3FE, 4), 0xFFFF00B0u);  // QEMU aborts here; we split
  EXPECT_EQ(board.io_in(0x80, 2), 0xFFFFu);       // QEMU: inw 0x80 = 0xffff
}

TEST_F(BoardTest, FirmwareStateAsQemuGuestSawIt) {
  EXPECT_EQ(board.io_in(0x21, 1), 0xB8u);
  EXPECT_EQ(board.io_in(0xA1, 1), 0x8Eu);
  EXPECT_EQ(board.io_in(0x3FD, 1), 0x60u);
  EXPECT_EQ(board.io_in(0x3FC, 1), 0x08u);
  board.io_out(0x70, 1, 0x0B);
  EXPECT_EQ(board.io_in(0x71, 1), 0x02u);
  board.io_out(0x43, 1, 0xE4);
  EXPECT_EQ(board.io_in(0x41, 1), 0x86u);
  // Channel 0 is in mode 2 with LSB/MSB access (QEMU reports 0x34: its mode-2 OUT is inverted).
  run_to(1000);
  board.io_out(0x43, 1, 0xE2);
  EXPECT_EQ(board.io_in(0x40, 1), 0xB4u);
  EXPECT_EQ(board.io_in(0x43, 1), 0x00u);  // QEMU: the control port reads 0
}

TEST_F(BoardTest, Port61RefreshToggleAndChannel2) {
  // QEMU 7.2 guest saw 0x30 then 0x20: bit 4 flips per read, bit 5 = ch2 OUT (high: gate low, mode 3).
  EXPECT_EQ(board.io_in(0x61, 1), 0x30u);
  EXPECT_EQ(board.io_in(0x61, 1), 0x20u);
  // The classic calibration loop: ch2 mode 0, gate on, wait for OUT.
  board.io_out(0x61, 1, 0x01);
  board.io_out(0x43, 1, 0xB0);
  board.io_out(0x42, 1, 100);
  board.io_out(0x42, 1, 0);
  EXPECT_EQ(board.io_in(0x61, 1) & 0x21, 0x01u);
  icount = (101ull * 1'000'000'000 + 1193181) / 1193182;  // tick 101
  EXPECT_EQ(board.io_in(0x61, 1) & 0x21, 0x21u);
}

TEST_F(BoardTest, DebugExitStatus) {
  EXPECT_EQ(board.io_in(0xF4, 1), 0u);  // QEMU: reads 0
  EXPECT_FALSE(board.exit_requested());
  board.io_out(0xF4, 1, 0x10);
  EXPECT_TRUE(board.exit_requested());
  EXPECT_EQ(board.exit_status(), 0x21u);  // (0x10 << 1) | 1 = 33, the status QEMU exits with
  board.io_out(0xF4, 4, 0x7FFF'FFFF);
  EXPECT_EQ(board.exit_status(), 0xFFFF'FFFFu);
}

TEST_F(BoardTest, TimerInterruptReachesCpuAtVector8) {
  bool line = false;
  board.set_intr_listener([&](bool v) { line = v; });
  // Firmware state: ch0 mode 2, count 65536 -> first IRQ 0 rising edge at tick 65536.
  const uint64_t first = (65536ull * 1'000'000'000 + 1193181) / 1193182;
  EXPECT_EQ(board.next_deadline(0), (65535ull * 1'000'000'000 + 1193181) / 1193182);  // OUT falls at count 1
  run_to(first - 1);
  EXPECT_FALSE(board.intr_pending());
  run_to(first);
  EXPECT_TRUE(board.intr_pending());
  EXPECT_TRUE(line);
  EXPECT_EQ(board.intr_ack(), 0x08);  // QEMU 7.2 guest took IRQ 0 at vector 0x08
  EXPECT_FALSE(line);
  board.io_out(0x20, 1, 0x20);
  EXPECT_EQ(board.next_deadline(icount), (131071ull * 1'000'000'000 + 1193181) / 1193182);
}

TEST_F(BoardTest, RtcInterruptAtVector0x70) {
  board.io_out(0x70, 1, 0x0B);
  board.io_out(0x71, 1, 0x42);  // PIE, as the QEMU probe did: it took vector 0x70 first
  run_to(1'000'000);
  ASSERT_TRUE(board.intr_pending());
  EXPECT_EQ(board.intr_ack(), 0x70);
}

TEST_F(BoardTest, NextDeadlineNeverInThePast) {
  run_to(10);
  EXPECT_GE(board.next_deadline(icount), icount);
  board.io_out(0x43, 1, 0x30);  // ch0 mode 0, no count: no event
  board.io_out(0x70, 1, 0x0B);
  board.io_out(0x71, 1, 0x02);
  EXPECT_EQ(board.next_deadline(icount), Clock::kNever);
}

// Save, change everything, load: every device's dump must be back to the saved one.
TEST_F(BoardTest, SnapshotRoundTripRestoresEveryDevice) {
  board.io_out(0x21, 1, 0x12);
  board.io_out(0x43, 1, 0x36);
  board.io_out(0x40, 1, 0x34);
  board.io_out(0x40, 1, 0x12);
  board.io_out(0x3FB, 1, 0x03);
  board.io_out(0x3F9, 1, 0x02);
  board.io_out(0x3FF, 1, 0x77);
  board.io_out(0x70, 1, 0x8B);
  board.io_out(0x71, 1, 0x06);
  board.io_out(0x80, 1, 0x42);
  board.io_out(0x61, 1, 0x03);
  board.com1().receive('q');
  run_to(5'000'000);
  const std::string before = board.dump();
  Serializer save;
  board.serialize(save);
  std::vector<uint8_t> snap = save.take();

  board.io_out(0x21, 1, 0xFF);
  board.io_out(0x43, 1, 0x30);
  board.io_out(0x3FF, 1, 0x00);
  board.io_out(0x3FB, 1, 0x80);
  board.io_out(0x70, 1, 0x0A);
  board.io_out(0x71, 1, 0x2F);
  board.io_out(0x80, 1, 0x99);
  board.io_out(0xF4, 1, 1);
  (void)board.io_in(0x3F8, 1);
  ASSERT_NE(board.dump(), before);

  Serializer load(snap);
  board.serialize(load);
  EXPECT_TRUE(load.at_end());
  EXPECT_EQ(board.dump(), before);
  Serializer again;  // every byte of state, not just what the dumps show
  board.serialize(again);
  EXPECT_EQ(again.data(), snap);
  // The restored clock schedule keeps going identically.
  Board twin;
  uint64_t twin_icount = icount;
  twin.bind_icount(&twin_icount);
  Serializer load2(snap);
  twin.serialize(load2);
  run_to(90'000'000);
  while (twin.next_deadline(twin_icount) <= 90'000'000) {
    twin_icount = twin.next_deadline(twin_icount);
    twin.advance(twin_icount);
  }
  twin_icount = 90'000'000;
  twin.advance(twin_icount);
  EXPECT_EQ(twin.dump(), board.dump());
}

TEST_F(BoardTest, TruncatedSnapshotThrows) {
  Serializer save;
  board.serialize(save);
  std::vector<uint8_t> snap = save.take();
  for (size_t n : {size_t(0), size_t(3), snap.size() / 2, snap.size() - 1}) {
    Serializer load(std::span<const uint8_t>(snap.data(), n));
    EXPECT_THROW(board.serialize(load), std::runtime_error) << n;
  }
}

TEST_F(BoardTest, DeterministicAcrossRuns) {
  auto script = [](Board& b, uint64_t& ic) {
    b.io_out(0x43, 1, 0x34);
    b.io_out(0x40, 1, 0x9C);
    b.io_out(0x40, 1, 0x2E);  // 11932: 100 Hz
    b.io_out(0x21, 1, 0xFE);
    unsigned irqs = 0;
    while (ic < 1'000'000'000) {
      ic = std::min<uint64_t>(b.next_deadline(ic), 1'000'000'000);
      b.advance(ic);
      if (b.intr_pending()) {
        (void)b.intr_ack();
        b.io_out(0x20, 1, 0x20);
        ++irqs;
      }
    }
    return irqs;
  };
  uint64_t a = 0, c = 0;
  Board b1, b2;
  b1.bind_icount(&a);
  b2.bind_icount(&c);
  // 1e9 instructions = 1 s = 1193182 PIT ticks: a rising edge every 11932 ticks.
  EXPECT_EQ(script(b1, a), 1193182u / 11932u);
  EXPECT_EQ(script(b2, c), 1193182u / 11932u);
  EXPECT_EQ(b1.dump(), b2.dump());
}

TEST(VgaText, RendersScreenFromRam) {
  slot::mmu::PhysMemory mem(1 << 20);
  const char* hello = "Hello";
  for (int i = 0; hello[i]; ++i) mem.write(kVgaTextBase + 2 * i, 2, uint16_t(0x0700 | uint8_t(hello[i])));
  mem.write(kVgaTextBase + 2 * (80 + 3), 1, 0xC9);   // row 1, col 3: CP437 double box corner
  mem.write(kVgaTextBase + 2 * (24 * 80 + 79), 1, 0x01);  // smiley in the last cell
  auto lines = render_vga_text(mem);
  ASSERT_EQ(lines.size(), 25u);
  EXPECT_EQ(lines[0], "Hello");
  EXPECT_EQ(lines[1], "   \u2554");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[24], std::string(79, ' ') + "\u263A");
  EXPECT_EQ(vga_cell(mem, 0, 1).attr, 0x07);
  slot::mmu::PhysMemory tiny(4096);  // no RAM at 0xB8000: blank screen, no crash
  EXPECT_EQ(render_vga_text(tiny)[0], "");
}

TEST(Cp437, KnownCharacters) {
  EXPECT_EQ(cp437_to_utf8('A'), "A");
  EXPECT_EQ(cp437_to_utf8(0x00), " ");
  EXPECT_EQ(cp437_to_utf8(0xB0), "\u2591");
  EXPECT_EQ(cp437_to_utf8(0xE1), "\u00DF");
  EXPECT_EQ(cp437_to_utf8(0xFE), "\u25A0");
  EXPECT_EQ(cp437_to_utf8(0x7F), "\u2302");
}

}  // namespace
