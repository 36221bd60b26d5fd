// CMOS/RTC tests. Oracles: the MC146818A datasheet (register formats, BCD /
// binary, 12-hour PM bit, SET, UIP, register C), the C++20 <chrono> calendar
// (for dates), and NVRAM bytes a guest read under QEMU 7.2.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <vector>

#include "emu/devices/clock.h"
#include "emu/devices/cmos_rtc.h"

using slot::emu::Clock;
using slot::emu::CmosRtc;

namespace {

constexpr uint64_t kSecond = 1'000'000'000;  // instructions per guest second (default rate)

struct Rtc : ::testing::Test {
  uint64_t icount = 0;
  Clock clock;
  std::vector<bool> irq;
  CmosRtc rtc{clock, [this](bool l) { irq.push_back(l); }, 256ull << 20};
  void SetUp() override {
    clock.bind_icount(&icount);
    rtc.reset();
  }
  uint8_t reg(uint8_t r) { rtc.io_write(0x70, 1, r); return uint8_t(rtc.io_read(0x71, 1)); }
  void set(uint8_t r, uint8_t v) { rtc.io_write(0x70, 1, r); rtc.io_write(0x71, 1, v); }
  void run_to(uint64_t limit) {
    while (clock.next_deadline() <= limit) {
      icount = clock.next_deadline();
      clock.advance(icount);
    }
    icount = limit;
    clock.advance(icount);
  }
};

TEST_F(Rtc, StartsAtDocumentedDateInBcd) {
  // 2024-01-01 00:00:00 was a Monday: day-of-week register 2 (Sunday = 1).
  EXPECT_EQ(reg(0x00), 0x00);
  EXPECT_EQ(reg(0x02), 0x00);
  EXPECT_EQ(reg(0x04), 0x00);
  EXPECT_EQ(reg(0x06), 0x02);
  EXPECT_EQ(reg(0x07), 0x01);
  EXPECT_EQ(reg(0x08), 0x01);
  EXPECT_EQ(reg(0x09), 0x24);
  EXPECT_EQ(reg(0x32), 0x20);
}

TEST_F(Rtc, GuestTimeAdvancesClock) {
  icount = 3661 * kSecond + kSecond / 2;  // 01:01:01.5
  EXPECT_EQ(reg(0x04), 0x01);
  EXPECT_EQ(reg(0x02), 0x01);
  EXPECT_EQ(reg(0x00), 0x01);
  icount = (59ull * 86400 + 23 * 3600 + 59 * 60 + 59) * kSecond;  // 2024-02-29 23:59:59, a Thursday
  EXPECT_EQ(reg(0x07), 0x29);
  EXPECT_EQ(reg(0x08), 0x02);
  EXPECT_EQ(reg(0x06), 0x05);
  EXPECT_EQ(reg(0x00), 0x59);
}

TEST_F(Rtc, BinaryAnd12HourModes) {
  icount = (13 * 3600 + 45 * 60) * kSecond;  // 13:45
  set(0x0B, 0x06);  // binary, 24 hour
  EXPECT_EQ(reg(0x04), 13);
  EXPECT_EQ(reg(0x02), 45);
  EXPECT_EQ(reg(0x09), 24);
  set(0x0B, 0x00);  // BCD, 12 hour: 1 PM = 0x81
  EXPECT_EQ(reg(0x04), 0x81);
  icount = 30 * kSecond;  // 00:00:30 is 12 AM
  EXPECT_EQ(reg(0x04), 0x12);
}

TEST_F(Rtc, WritingTimeRegisters) {
  set(0x0B, 0x82);  // SET: freeze while writing
  set(0x04, 0x15);
  set(0x02, 0x30);
  set(0x07, 0x31);
  set(0x08, 0x12);
  set(0x09, 0x99);
  set(0x32, 0x19);
  icount = 10 * kSecond;
  EXPECT_EQ(reg(0x00), 0x00);  // frozen while SET
  set(0x0B, 0x02);
  icount = 12 * kSecond;
  EXPECT_EQ(reg(0x00), 0x02);
  EXPECT_EQ(reg(0x04), 0x15);
  EXPECT_EQ(reg(0x09), 0x99);
  EXPECT_EQ(reg(0x32), 0x19);
  icount = (12 + 8 * 3600 + 30 * 60) * kSecond;  // past midnight into 2000-01-01, a Saturday
  EXPECT_EQ(reg(0x07), 0x01);
  EXPECT_EQ(reg(0x08), 0x01);
  EXPECT_EQ(reg(0x09), 0x00);
  EXPECT_EQ(reg(0x32), 0x20);
  EXPECT_EQ(reg(0x06), 0x07);
}

TEST_F(Rtc, UpdateInProgressWindow) {
  icount = kSecond / 2;
  EXPECT_EQ(reg(0x0A) & 0x80, 0);
  icount = kSecond - 200'000;  // 200 us before the update: inside the 244 us window
  EXPECT_EQ(reg(0x0A) & 0x80, 0x80);
  icount = kSecond;
  EXPECT_EQ(reg(0x0A) & 0x80, 0);
}

TEST_F(Rtc, RegisterCFlagsAndClearOnRead) {
  EXPECT_EQ(reg(0x0C), 0x00);
  icount = kSecond + 1;
  // One update (UF) and, at the 1024 Hz reset rate, periodic ticks (PF); no interrupt enabled.
  EXPECT_EQ(reg(0x0C), 0x50);
  EXPECT_EQ(reg(0x0C), 0x00);
}

TEST_F(Rtc, PeriodicInterruptRaisesIrq8UntilCIsRead) {
  set(0x0A, 0x26);  // 1024 Hz: period 976.5625 us
  set(0x0B, 0x42);  // PIE
  irq.clear();
  run_to(2'000'000);
  // First periodic tick at 32 ticks of 32.768 kHz = 976,562.5 ns -> instruction 976,563.
  EXPECT_EQ(irq, (std::vector<bool>{true}));
  EXPECT_EQ(reg(0x0C), 0xC0);  // IRQF | PF (QEMU 7.2 guest read 0xC0 too)
  EXPECT_EQ(irq, (std::vector<bool>{true, false}));
  run_to(3'000'000);
  EXPECT_EQ(irq, (std::vector<bool>{true, false, true}));
}

TEST_F(Rtc, PeriodicFirstEdgeTime) {
  set(0x0B, 0x42);
  irq.clear();
  run_to(976'562);
  EXPECT_TRUE(irq.empty());
  run_to(976'563);
  EXPECT_EQ(irq.size(), 1u);
}

TEST_F(Rtc, AlarmInterrupt) {
  set(0x01, 0x05);  // 00:00:05
  set(0x03, 0x00);
  set(0x05, 0xC0);  // any hour ("don't care")
  set(0x0B, 0x22);  // AIE
  irq.clear();
  run_to(5 * kSecond - 1);
  EXPECT_TRUE(irq.empty());
  run_to(5 * kSecond);
  EXPECT_EQ(irq, (std::vector<bool>{true}));
  EXPECT_EQ(reg(0x0C) & 0xB0, 0xB0);  // IRQF | AF | UF
}

TEST_F(Rtc, SetClearsUie) {
  set(0x0B, 0x92);  // SET with UIE: UIE is dropped
  EXPECT_EQ(reg(0x0B), 0x82);
}

TEST_F(Rtc, NmiMaskBitAndIndexPort) {
  rtc.io_write(0x70, 1, 0x8B);
  EXPECT_TRUE(rtc.nmi_masked());
  EXPECT_EQ(rtc.io_read(0x71, 1), 0x02u);  // register B
  EXPECT_EQ(rtc.io_read(0x70, 1), 0xFFu);  // QEMU: the index port reads 0xFF
  rtc.io_write(0x70, 1, 0x0B);
  EXPECT_FALSE(rtc.nmi_masked());
}

TEST_F(Rtc, StatusAndNvramMatchQemu256M) {
  // Read by a guest under QEMU 7.2 -m 256.
  EXPECT_EQ(reg(0x0A), 0x26);
  EXPECT_EQ(reg(0x0B), 0x02);
  EXPECT_EQ(reg(0x0D), 0x80);
  const uint8_t want[][2] = {{0x10, 0x50}, {0x14, 0x07}, {0x15, 0x80}, {0x16, 0x02}, {0x17, 0xFF}, {0x18, 0xFF},
                             {0x30, 0xFF}, {0x31, 0xFF}, {0x34, 0x00}, {0x35, 0x0F}, {0x37, 0x20}, {0x38, 0x30},
                             {0x3D, 0x12}, {0x5B, 0x00}, {0x0F, 0x00}};
  for (auto& w : want) EXPECT_EQ(reg(w[0]), w[1]) << "register " << int(w[0]);
}

TEST(RtcNvram, MemorySizesMatchQemu16M) {
  Clock clock;
  CmosRtc rtc{clock, nullptr, 16ull << 20};
  rtc.reset();
  auto reg = [&](uint8_t r) { rtc.io_write(0x70, 1, r); return rtc.io_read(0x71, 1); };
  EXPECT_EQ(reg(0x17), 0x00u);
  EXPECT_EQ(reg(0x18), 0x3Cu);
  EXPECT_EQ(reg(0x30), 0x00u);
  EXPECT_EQ(reg(0x31), 0x3Cu);
  EXPECT_EQ(reg(0x34), 0x00u);
  EXPECT_EQ(reg(0x35), 0x00u);
}

TEST(RtcCalendar, AgreesWithChrono) {
  using namespace std::chrono;
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> dist(-20'000'000'000LL, 20'000'000'000LL);
  for (int i = 0; i < 20000; ++i) {
    int64_t s = i < 3 ? int64_t(i) * 86400 - 1 : dist(rng);
    CmosRtc::DateTime t = CmosRtc::to_datetime(s);
    sys_seconds tp{seconds{s}};
    sys_days day = floor<days>(tp);
    year_month_day ymd{day};
    hh_mm_ss hms{tp - day};
    ASSERT_EQ(t.year, int(ymd.year())) << s;
    ASSERT_EQ(t.month, unsigned(ymd.month())) << s;
    ASSERT_EQ(t.day, unsigned(ymd.day())) << s;
    ASSERT_EQ(t.hour, unsigned(hms.hours().count())) << s;
    ASSERT_EQ(t.minute, unsigned(hms.minutes().count())) << s;
    ASSERT_EQ(t.second, unsigned(hms.seconds().count())) << s;
    ASSERT_EQ(t.weekday, weekday{day}.c_encoding() + 1) << s;
    ASSERT_EQ(CmosRtc::to_seconds(t), s);
  }
}

}  // namespace
