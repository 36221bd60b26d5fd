// The debug registers and #DB (SDM Vol. 3B §17.2-17.3, Vol. 3A §6.8.3):
// instruction breakpoints (faults, suppressed by RF), data and I/O
// breakpoints (traps, with lengths and R/W conditions), DR6 status bits,
// single-step and breakpoint hits in one #DB, MOV SS blocking, ICEBP, GD,
// and RF in the RFLAGS image of faults. The breakpoints are armed with
// MOV DRn instructions, as a kernel would.
#include "tests/cpu/unit_common.h"

namespace slot::cputest {
namespace {
using namespace cpu;
using namespace x86;

constexpr uint64_t kB0 = 1, kB1 = 2, kBd = 1u << 13, kBs = 1u << 14;
// DR7 for breakpoint i: Li, R/W, LEN (00 1 byte, 01 2, 11 4, 10 8).
constexpr uint64_t dr7_bp(unsigned i, unsigned rw, unsigned len) {
  return (1ull << (2 * i)) | (uint64_t(rw) << (16 + 4 * i)) | (uint64_t(len) << (18 + 4 * i));
}
enum : unsigned { kExec = 0, kWrite = 1, kIo = 2, kReadWrite = 3 };
enum : unsigned { kLen1 = 0, kLen2 = 1, kLen8 = 2, kLen4 = 3 };

class DebugTest : public CpuTest {
 protected:
  std::vector<uint8_t> code;
  // mov rax, v; mov drN, rax
  void set_dr(unsigned n, uint64_t v) {
    emit({0x48, 0xb8});
    for (int i = 0; i < 8; ++i) code.push_back(uint8_t(v >> (8 * i)));
    emit({0x0f, 0x23, uint8_t(0xc0 | (n << 3))});
  }
  // push_back, not insert: GCC 12 warns falsely on inserting short lists.
  void emit(std::initializer_list<uint8_t> b) {
    for (uint8_t x : b) code.push_back(x);
  }
  uint64_t here() const { return kCode + code.size(); }
  void go() {
    emit({0xeb, 0xfe});
    load(code);
    r(RBX) = kData;
    run();
  }
  uint64_t dr6() const { return m.cpu.s.dr[6]; }
  bool db_taken() const { return m.in_handler(VEC_DB); }
};

TEST_F(DebugTest, InstructionBreakpointIsAFaultBeforeTheInstruction) {
  set_dr(7, 0);
  const uint64_t bp = here() + 2 * 13 + 1;  // past the two 13-byte DR loads below and one NOP
  set_dr(0, bp);
  set_dr(7, dr7_bp(0, kExec, kLen1));
  emit({0x90, 0x48, 0xff, 0xc1, 0x90});  // nop; inc rcx (at bp); nop
  r(RCX) = 0;
  go();
  ASSERT_TRUE(db_taken()) << std::hex << rip();
  EXPECT_EQ(stack(0), bp) << "RIP of the instruction, not after it";
  EXPECT_EQ(r(RCX), 0u) << "the instruction did not run";
  EXPECT_EQ(dr6() & 0xF, kB0);
  EXPECT_EQ(stack(2) & FL_RF, 0u) << "an instruction-breakpoint #DB pushes RF as it was";
}

TEST_F(DebugTest, DisabledBreakpointDoesNothing) {
  set_dr(0, kCode + 0x40);
  set_dr(7, dr7_bp(0, kExec, kLen1) & ~3ull);  // R/W and LEN set, L0 and G0 clear
  while (code.size() < 0x40) emit({0x90});
  emit({0x90});
  go();
  EXPECT_FALSE(db_taken());
  EXPECT_EQ(rip(), kCode + 0x41);
}

TEST_F(DebugTest, RfSuppressesTheInstructionBreakpointForOneInstruction) {
  // IRETQ to the breakpoint with RF set in the image: it runs once; RF is
  // then clear, so coming back to it (a loop) faults.
  const uint64_t target = kCode + 0x80;
  set_dr(0, target);
  set_dr(7, dr7_bp(0, kExec, kLen1));
  const uint64_t sp = 0x2F000;
  m.wr(sp, target);
  m.wr(sp + 8, kKCode);
  m.wr(sp + 16, 0x2 | FL_RF);
  m.wr(sp + 24, 0x2E000);
  m.wr(sp + 32, kKData);
  r(RSP) = sp;
  emit({0x48, 0xcf});  // iretq
  load(code);
  m.put(target, {0x48, 0xff, 0xc1, 0xeb, 0xfb});  // inc rcx; jmp target
  r(RCX) = 0;
  run();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(r(RCX), 1u) << "ran once with RF, then hit";
  EXPECT_EQ(stack(0), target);
  EXPECT_EQ(stack(2) & FL_RF, 0u) << "RF was cleared after the first instruction";
}

TEST_F(DebugTest, DataWriteBreakpointIsATrapAfterTheWrite) {
  set_dr(1, kData + 4);
  set_dr(7, dr7_bp(1, kWrite, kLen4));
  emit({0x8b, 0x43, 0x04});  // mov eax, [rbx+4]: a read, not watched by R/W = 01
  const uint64_t store = here();
  emit({0x88, 0x43, 0x06});  // mov [rbx+6], al: inside the 4-byte range
  const uint64_t after = here();
  emit({0x90});
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), after) << "the trap follows the store at " << std::hex << store;
  EXPECT_EQ(dr6() & 0xF, kB1);
  EXPECT_EQ(dr6() & kBs, 0u);
}

// A hit on a store that a chain of linked instructions runs (a loop, its
// second iteration on) traps right after that store, not where the chain
// would have ended: the stores of later iterations have not happened. One
// run() call with a limit far beyond (go() would end the run right after
// the hit, whose instruction then runs alone).
TEST_F(DebugTest, DataHitInsideALoopTrapsAfterThatIteration) {
  constexpr unsigned kK = 30, kN = kK + 20;
  set_dr(0, kData + 8 * kK);
  set_dr(7, dr7_bp(0, kWrite, kLen8));
  const uint64_t top = here();
  emit({0x4c, 0x8b, 0x04, 0xcb});  // top: mov r8, [rbx+rcx*8]
  emit({0x49, 0x83, 0xc0, 0x01});  //      add r8, 1
  emit({0x4c, 0x89, 0x04, 0xcb});  //      mov [rbx+rcx*8], r8
  const uint64_t after = here();
  emit({0x48, 0xff, 0xc1});        //      inc rcx
  emit({0x48, 0xff, 0xca});        //      dec rdx
  emit({0x75, 0xec});              //      jnz top
  ASSERT_EQ(here() - top, 20u);
  for (unsigned q = 0; q < kN; ++q) m.wr(kData + 8 * q, 100 + q);
  emit({0xeb, 0xfe});
  load(code);
  r(RBX) = kData, r(RCX) = 0, r(RDX) = kN;
  m.cpu.run(m.cpu.icount() + 10000);
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), after);
  EXPECT_EQ(dr6() & 0xF, kB0);
  EXPECT_EQ(r(RCX), kK);
  EXPECT_EQ(r(RDX), kN - kK);
  for (unsigned q = 0; q < kN; ++q) EXPECT_EQ(m.rd(kData + 8 * q), 100 + q + (q <= kK ? 1 : 0)) << q;
}

TEST_F(DebugTest, ReadWriteBreakpointSeesReadsAndLengthsAlign) {
  // LEN 8 at an unaligned address covers the aligned quadword (SDM §17.2.5).
  set_dr(0, kData + 0x13);
  set_dr(7, dr7_bp(0, kReadWrite, kLen8));
  emit({0x8b, 0x43, 0x0c});  // mov eax, [rbx+0xc]: bytes 0xc-0xf, outside 0x10-0x17
  emit({0x8a, 0x43, 0x10});  // mov al, [rbx+0x10]: inside
  const uint64_t after = here();
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), after);
  EXPECT_EQ(dr6() & 0xF, kB0);
}

TEST_F(DebugTest, SingleStepAndDataHitShareOneDebugException) {
  set_dr(0, kData);
  set_dr(7, dr7_bp(0, kWrite, kLen1));
  emit({0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d});  // pushf; or qword [rsp], 0x100; popf
  const uint64_t store = here();
  emit({0x88, 0x03});  // mov [rbx], al: first instruction single-stepped
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), store + 2);
  EXPECT_EQ(dr6() & (kBs | 0xF), kBs | kB0);
  EXPECT_EQ(m.log.exceptions().size(), 1u);
}

TEST_F(DebugTest, MovSsDelaysTheSingleStepTrapByOneInstruction) {
  emit({0x8c, 0xd0});  // mov eax, ss
  emit({0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d});  // TF on
  emit({0x8e, 0xd0});  // mov ss, eax: no trap after it
  const uint64_t nop = here();
  emit({0x90, 0x90});
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), nop + 1) << "the trap comes after the instruction following MOV SS";
  EXPECT_TRUE(dr6() & kBs);
}

TEST_F(DebugTest, DataHitOnMovSsIsDeliveredInsideTheNextInstructionsHandler) {
  // The POP SS / MOV SS case (SDM Vol. 3A §6.8.3): a data breakpoint on the
  // MOV SS operand, then INT n -- the #DB arrives after the INT, at the
  // first instruction of its handler, in ring 0.
  m.wr(kData + 0x20, kKData, 2);
  set_dr(0, kData + 0x20);
  set_dr(7, dr7_bp(0, kReadWrite, kLen2));
  emit({0x8e, 0x53, 0x20});  // mov ss, [rbx+0x20]
  emit({0xcd, 0x80});        // int 0x80
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), kHandlers + 16 * 0x80) << "the interrupted RIP is the INT handler's entry";
  EXPECT_EQ(dr6() & 0xF, kB0);
}

TEST_F(DebugTest, IcebpIsATrapPastTheGateDpl) {
  // Vector 1's gate has DPL 0; INT1 from ring 3 still reaches it (no #GP), RIP after F1.
  const uint64_t before = dr6();
  std::vector<uint8_t> u = {0x90, 0xf1, 0x90, 0xeb, 0xfe};
  m.set_cpl(3);
  m.put(kUserCodePa, u);
  m.cpu.s.rip = kUserCode;
  r(RSP) = kUserStackTop;
  run();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), kUserCode + 2);
  EXPECT_EQ(dr6(), before) << "INT1 sets no DR6 bit";
}

TEST_F(DebugTest, GeneralDetectFaultsOnTheMovAndClearsGd) {
  set_dr(7, 1ull << 13);  // GD
  const uint64_t mov = here();
  emit({0x0f, 0x21, 0xc1});  // mov rcx, dr0
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), mov) << "a fault: RIP of the MOV";
  EXPECT_TRUE(dr6() & kBd);
  EXPECT_FALSE(m.cpu.s.dr[7] & (1ull << 13)) << "GD cleared for the handler";
  EXPECT_TRUE(stack(2) & FL_RF) << "a fault-class #DB that is not an instruction breakpoint pushes RF = 1";
}

TEST_F(DebugTest, FaultsPushRfAndTrapsDoNot) {
  // SDM §17.3.1.1: RF = 1 in the image of every fault except an instruction breakpoint.
  emit({0x0f, 0x0b});  // ud2
  go();
  ASSERT_TRUE(m.in_handler(VEC_UD));
  EXPECT_TRUE(stack(2) & FL_RF);
  code.clear();
  m.log.events.clear();
  r(RSP) = kKernelStack - 0x800;
  emit({0xcc});  // int3: a trap
  go();
  ASSERT_TRUE(m.in_handler(VEC_BP));
  EXPECT_FALSE(stack(2) & FL_RF);
}

TEST_F(DebugTest, IoBreakpointNeedsCr4De) {
  for (const bool de : {false, true}) {
    code.clear();
    m.log.events.clear();
    m.cpu.s.dr[6] = 0xFFFF0FF0;
    r(RSP) = kKernelStack - 0x800;
    m.cpu.s.cr4 = de ? (m.cpu.s.cr4 | CR4_DE) : (m.cpu.s.cr4 & ~CR4_DE);
    set_dr(0, 0x80);
    set_dr(7, dr7_bp(0, kIo, kLen1));
    emit({0xe6, 0x80});  // out 0x80, al
    const uint64_t after = here();
    go();
    EXPECT_EQ(db_taken(), de) << "DE " << de;
    if (de) {
      EXPECT_EQ(stack(0), after);
      EXPECT_EQ(dr6() & 0xF, kB0);
    }
  }
}

TEST_F(DebugTest, RepStringStopsAfterTheIterationThatHits) {
  set_dr(0, kData + 5);
  set_dr(7, dr7_bp(0, kWrite, kLen1));
  emit({0x48, 0x89, 0xdf});  // mov rdi, rbx
  const uint64_t stos = here();
  emit({0xf3, 0xaa});        // rep stosb
  r(RCX) = 16;
  go();
  ASSERT_TRUE(db_taken());
  EXPECT_EQ(stack(0), stos) << "RIP back at REP STOSB";
  EXPECT_EQ(r(RCX), 10u) << "six iterations, bytes 0-5";
  EXPECT_EQ(r(RDI), kData + 6);
}

}  // namespace
}  // namespace slot::cputest
