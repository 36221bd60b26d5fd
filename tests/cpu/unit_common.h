// Shared fixture of the per-family unit tests: a machine already in 64-bit
// mode at CPL 0 (machine.h), with a user code and a user data region mapped.
// Every expectation in the tests is derived from the SDM rule the test
// names, never from the emulator's own output.
#pragma once
#include <gtest/gtest.h>

#include <vector>

#include "tests/cpu/machine.h"

namespace slot::cputest {

class CpuTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kCode = 0x200000;   // kernel code (identity-mapped)
  static constexpr uint64_t kData = 0x300000;   // kernel data (identity-mapped)
  static constexpr uint64_t kUserCode = 0x40000000, kUserCodePa = 0x600000;  // U, read-only, 64 KiB
  static constexpr uint64_t kUserData = 0x40100000, kUserDataPa = 0x700000;  // U, W, NX, 64 KiB
  static constexpr uint64_t kUserStackTop = kUserData + 0x8000;

  TestMachine m;

  void SetUp() override {
    m.enter_long_mode(0);
    m.map(kUserCode, kUserCodePa, 0x10000, x86::PTE_U);
    m.map(kUserData, kUserDataPa, 0x10000, x86::PTE_U | x86::PTE_W | x86::PTE_NX);
    m.cpu.sync_mmu();
  }
  uint64_t& r(cpu::Reg x) { return m.cpu.s.gpr[x]; }
  uint64_t rip() const { return m.cpu.s.rip; }
  // Places code at physical `pa` and starts there (kernel code: va == pa).
  void load(const std::vector<uint8_t>& code, uint64_t pa = kCode) {
    m.put(pa, code);
    m.cpu.s.rip = pa;
  }
  // Runs to the next `jmp $` (EB FE) or HLT, at most `max` instructions.
  uint64_t run(uint64_t max = 10000) { return m.run_to_spin(max); }
  // The k-th quadword above RSP (kernel stacks are identity-mapped).
  uint64_t stack(unsigned k) const { return m.rd(m.cpu.s.gpr[cpu::RSP] + 8ull * k); }
  // Runs on; expects the CPU to end up in vector `vec`'s default handler.
  void expect_exception(uint8_t vec) {
    run();
    EXPECT_TRUE(m.in_handler(vec)) << "RIP=" << std::hex << rip();
    ASSERT_FALSE(m.log.exceptions().empty());
    EXPECT_EQ(m.log.exceptions().back(), vec);
  }
};

}  // namespace slot::cputest
