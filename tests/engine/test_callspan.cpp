// A call is counted from the caller's kernel entry (the SYSCALL that made it)
// to the kernel's exit back to the caller (CallRecord::entry_icount,
// exit_icount, kernel_insns), not from the annotation records in the middle
// of the kernel's path. Checked against the machine stepped one instruction
// at a time, and against `slotlab bench design`'s own measurement of the same
// calls (the CPU's ring-0 count read at the guest's marks).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/engine/guest_fixture.h"

namespace slot::engine::test {
namespace {

constexpr uint32_t kApp = 1, kB1 = 6;  // guest/include/slotlab_abi.h

std::vector<const CallRecord*> app_to_b1(const Engine& e) {
  std::vector<const CallRecord*> v;
  for (const CallRecord& c : e.calls())
    if (c.parent == kNone && c.caller == kApp && c.callee == kB1 && c.returned) v.push_back(&c);
  return v;
}

class CallSpan : public ::testing::TestWithParam<const char*> {};

TEST_P(CallSpan, CoversTheKernelPathOnBothSides) {
  Booted b = boot(std::string("workload=bench sizes=0 depths=1 ws=1 calls=6 ") + GetParam());
  ASSERT_EQ(b.e->cont().reason, StopReason::GuestExit) << b.console->text();
  const std::vector<const CallRecord*> calls = app_to_b1(*b.e);
  ASSERT_GE(calls.size(), 6u);
  for (const CallRecord* c : calls) {
    ASSERT_NE(c->entry_icount, kNone64);
    ASSERT_NE(c->exit_icount, kNone64);
    EXPECT_LT(c->entry_icount, c->enter_icount);   // the SYSCALL comes before the Call record
    EXPECT_GT(c->exit_icount, c->return_icount);   // the exit to ring 3 after the Return record
    EXPECT_GT(c->kernel_insns, 0u);
    EXPECT_LE(c->kernel_insns, c->exit_icount - c->entry_icount);
  }
  // The last call, stepped: instructions that end in ring 0, from the SYSCALL
  // to the kernel's exit to the caller (the SYSRET or IRET ends in ring 3).
  const CallRecord c = *calls.back();
  b.e->goto_icount(c.entry_icount);
  emu::Machine& m = b.e->machine();
  ASSERT_EQ(m.cpu().s.cpl(), 3u);  // about to execute the caller's SYSCALL
  uint64_t ring0 = 0;
  while (m.cpu().icount() < c.exit_icount) {
    b.e->step();
    ring0 += m.cpu().s.cpl() == 0;
  }
  EXPECT_EQ(ring0, c.kernel_insns);
  b.e->step();  // the exit itself
  EXPECT_EQ(m.cpu().s.cpl(), 3u);
  if (std::string(GetParam()).find("ipc") == std::string::npos) {  // one task: the call's own instructions
    EXPECT_EQ(c.inclusive.insns, c.exit_icount - c.entry_icount);
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, CallSpan,
                         ::testing::Values("mode=modarea flush=cr3", "mode=modarea flush=pcid fastpath=0",
                                           "mode=ipc flush=pcid", "mode=ipc flush=cr3 fastpath=0"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace slot::engine::test
