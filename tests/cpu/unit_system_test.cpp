// Interrupt delivery through the IDT in IA-32e mode (SDM Vol. 3A §6.12,
// §6.14: stack switch to TSS.RSPn, IST, gate DPL for software interrupts,
// STI shadow), SYSCALL/SYSRET (Vol. 2B), IRETQ to ring 3 (Vol. 2A IRET),
// and CPL checks on privileged instructions.
#include <algorithm>

#include "tests/cpu/unit_common.h"

namespace slot::cputest {
namespace {
using namespace cpu;
using namespace x86;

class SystemTest : public CpuTest {
 protected:
  // Starts user code at kUserCode with RSP = kUserStackTop, RFLAGS = 0x202.
  void user(const std::vector<uint8_t>& code) {
    m.set_cpl(3);
    m.put(kUserCodePa, code);
    m.cpu.s.rip = kUserCode;
    r(RSP) = kUserStackTop;
    m.cpu.set_rflags(0x202);
  }
};

// Frame without error code: [0] RIP, [1] CS, [2] RFLAGS, [3] RSP, [4] SS.
TEST_F(SystemTest, SoftwareInterruptFromRingThreeSwitchesToRsp0) {
  m.set_gate(0x80, kHandlers + 16 * 0x80, /*dpl=*/3);
  user({0xb8, 0x05, 0x00, 0x00, 0x00, 0xcd, 0x80});  // mov eax, 5; int 0x80
  run();
  ASSERT_TRUE(m.in_handler(0x80));
  EXPECT_EQ(m.cpu.s.cpl(), 0);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kKCode);
  EXPECT_EQ(m.cpu.s.seg[SS].sel, 0u);  // SS = NULL selector with RPL = new CPL (SDM §6.14.4)
  EXPECT_EQ(r(RSP), kKernelStack - 40);
  EXPECT_EQ(stack(0), kUserCode + 7);   // INT n: the next instruction
  EXPECT_EQ(stack(1), kUCode);
  EXPECT_EQ(stack(2), 0x202u);
  EXPECT_EQ(stack(3), kUserStackTop);
  EXPECT_EQ(stack(4), kUData);
  EXPECT_FALSE(m.cpu.rflags() & FL_IF);  // interrupt gate clears IF
}

// INT n changes CPL within one instruction: the next fetch is a supervisor
// fetch even when the handler is on the page the user code ran from, and
// with CR4.SMEP a supervisor fetch from a user page is a #PF (SDM Vol. 3A
// §4.6.1) -- with error code I/D set and U/S clear (§4.7).
TEST_F(SystemTest, SoftwareInterruptToAHandlerOnTheUserPageIsAnSmepFault) {
  m.cpu.s.cr4 |= CR4_SMEP;
  m.cpu.sync_mmu();
  m.set_gate(0x83, kUserCode + 0x40, /*dpl=*/3);
  user({0x90, 0x90, 0xcd, 0x83});                 // nop; nop; int 0x83
  m.put(kUserCodePa + 0x40, {0x90, 0xeb, 0xfe});  // the "handler": nop; jmp $
  // One run() call, not run()'s instruction-at-a-time: the CPU may run
  // straight-line code on one page as a unit, and INT n must end it.
  m.cpu.run(m.cpu.icount() + 100);
  ASSERT_TRUE(m.in_handler(VEC_PF)) << "RIP=" << std::hex << rip();
  EXPECT_EQ(m.cpu.s.cr2, kUserCode + 0x40);
  EXPECT_EQ(stack(0), PF_P | PF_I);
}

// CLAC within straight-line kernel code: with CR4.SMAP a supervisor read of a
// user page is allowed while RFLAGS.AC = 1 and a #PF once AC = 0 (SDM Vol. 3A
// §4.6.1). As one run() call, so the read after CLAC is not decided by what
// was true when the run began.
TEST_F(SystemTest, ClacInARunMakesTheNextUserReadAnSmapFault) {
  m.cpu.s.cr4 |= CR4_SMAP;
  m.cpu.sync_mmu();
  m.wr(kUserDataPa, 0x1122334455667788);
  r(RBX) = kUserData;
  m.cpu.set_rflags(m.cpu.rflags() | FL_AC);  // the run begins with AC = 1
  load({0x48, 0x8b, 0x03,    // mov rax, [rbx]
        0x0f, 0x01, 0xca,    // clac
        0x48, 0x8b, 0x0b,    // mov rcx, [rbx]
        0xeb, 0xfe});        // jmp $
  m.cpu.run(m.cpu.icount() + 100);
  EXPECT_EQ(r(RAX), 0x1122334455667788u) << "read with AC = 1";
  ASSERT_TRUE(m.in_handler(VEC_PF)) << "RIP=" << std::hex << rip();
  EXPECT_EQ(m.cpu.s.cr2, kUserData);
  EXPECT_EQ(stack(0), PF_P);
  EXPECT_EQ(stack(1), kCode + 6) << "the second read faulted";
}

TEST_F(SystemTest, IstStackWinsOverRsp0) {
  m.set_gate(0x81, kHandlers + 16 * 0x81, 3, /*ist=*/1);
  user({0xcd, 0x81});
  run();
  ASSERT_TRUE(m.in_handler(0x81));
  EXPECT_EQ(r(RSP), kIstStack - 40);
  EXPECT_EQ(stack(0), kUserCode + 2);
}

TEST_F(SystemTest, IstIsUsedWithoutPrivilegeChangeToo) {
  m.set_gate(0x82, kHandlers + 16 * 0x82, 0, 1);
  r(RSP) = 0x30008;  // the IST stack is 16-byte aligned on entry anyway (SDM §6.14.2)
  load({0xcd, 0x82});
  run();
  ASSERT_TRUE(m.in_handler(0x82));
  EXPECT_EQ(r(RSP), kIstStack - 40);
  EXPECT_EQ(stack(3), 0x30008u);
}

TEST_F(SystemTest, TrapGateKeepsIf) {
  m.set_gate(0x83, kHandlers + 16 * 0x83, 3, 0, /*type=*/0xF);
  user({0xcd, 0x83});
  run();
  ASSERT_TRUE(m.in_handler(0x83));
  EXPECT_TRUE(m.cpu.rflags() & FL_IF);
}

TEST_F(SystemTest, GateDplBelowCplIsGpWithIdtErrorCode) {
  // INT n checks gate DPL >= CPL: #GP(vector*8 + 2), IDT bit set, EXT clear (SDM §6.12.1.1).
  user({0xcd, 0x80});  // the default gate has DPL 0
  run();
  ASSERT_TRUE(m.in_handler(VEC_GP));
  EXPECT_EQ(stack(0), 0x80u * 8 + 2);
  EXPECT_EQ(stack(1), kUserCode);  // the fault points at the INT
}

TEST_F(SystemTest, Int3IsATrap) {
  m.set_gate(VEC_BP, kHandlers + 16 * VEC_BP, 3);
  user({0x90, 0xcc});
  run();
  ASSERT_TRUE(m.in_handler(VEC_BP));
  EXPECT_EQ(stack(0), kUserCode + 2);  // after the INT3
}

TEST_F(SystemTest, ExternalInterruptAtInstructionBoundary) {
  m.io.vector = 0x30;
  m.cpu.set_rflags(0x202);
  load({0x90, 0x90, 0xeb, 0xfe});
  m.cpu.set_intr_line(true);
  run();
  ASSERT_TRUE(m.in_handler(0x30));
  EXPECT_EQ(m.io.acks, 1u);
  EXPECT_EQ(stack(0), kCode);  // taken before the first NOP: RIP of the next instruction
  EXPECT_EQ(stack(2), 0x202u);
  EXPECT_FALSE(m.cpu.rflags() & FL_IF);
}

TEST_F(SystemTest, MaskedInterruptWaits) {
  m.cpu.set_rflags(0x2);
  load({0x90, 0x90, 0xeb, 0xfe});
  m.cpu.set_intr_line(true);
  run();
  EXPECT_EQ(rip(), kCode + 2);
  EXPECT_EQ(m.io.acks, 0u);
}

TEST_F(SystemTest, StiShadowDelaysOneInstruction) {
  // SDM STI: interrupts are recognised after the instruction following STI.
  m.cpu.set_rflags(0x2);
  load({0xfb, 0x90, 0x90, 0xeb, 0xfe});  // sti; nop; nop; jmp $
  m.cpu.set_intr_line(true);
  run();
  ASSERT_TRUE(m.in_handler(0x20));
  EXPECT_EQ(stack(0), kCode + 2);
}

TEST_F(SystemTest, HltWaitsForAnInterrupt) {
  m.cpu.set_rflags(0x2);
  load({0xfb, 0xf4, 0x90, 0xeb, 0xfe});  // sti; hlt; nop; jmp $
  EXPECT_EQ(m.cpu.run(m.cpu.icount() + 100), StopReason::Halted);
  EXPECT_TRUE(m.cpu.halted());
  m.cpu.set_intr_line(true);
  run();
  ASSERT_TRUE(m.in_handler(0x20));
  EXPECT_EQ(stack(0), kCode + 2);  // returns after the HLT
  EXPECT_FALSE(m.cpu.halted());
}

TEST_F(SystemTest, SyscallEntersRingZero) {
  m.cpu.s.lstar = kCode + 0x100;
  m.cpu.s.fmask = FL_IF | FL_DF;
  m.put(kCode + 0x100, {0xeb, 0xfe});
  user({0x0f, 0x05});  // syscall
  m.cpu.set_rflags(0x202 | FL_DF | FL_CF);
  run();
  EXPECT_EQ(rip(), kCode + 0x100);
  EXPECT_EQ(r(RCX), kUserCode + 2);
  EXPECT_EQ(r(R11), 0x202u | FL_DF | FL_CF);
  EXPECT_EQ(m.cpu.rflags(), 0x2u | FL_CF);  // RFLAGS &= ~FMASK
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kKCode);   // STAR[47:32]
  EXPECT_EQ(m.cpu.s.seg[SS].sel, kKData);   // STAR[47:32] + 8
  EXPECT_EQ(m.cpu.s.cpl(), 0);
  EXPECT_EQ(r(RSP), kUserStackTop);         // SYSCALL does not switch stacks
}

TEST_F(SystemTest, SysretReturnsToRingThree) {
  r(RCX) = kUserCode + 0x10;
  r(R11) = 0x202 | FL_CF | FL_RF | FL_VM | (1u << 3);  // RF stays (in 3C7FD7H), VM and bit 3 do not
  m.put(kUserCodePa + 0x10, {0xeb, 0xfe});
  load({0x48, 0x0f, 0x07});  // sysretq
  run();
  EXPECT_EQ(rip(), kUserCode + 0x10);
  EXPECT_EQ(m.cpu.s.cpl(), 3);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, 0x18u + 16 + 3);  // STAR[63:48] + 16, RPL 3
  EXPECT_EQ(m.cpu.s.seg[SS].sel, 0x18u + 8 + 3);
  EXPECT_TRUE(m.cpu.mode64());
  EXPECT_EQ(m.cpu.rflags() & ~uint64_t(FL_RF), 0x202u | FL_CF);
}

TEST_F(SystemTest, SysretToCompatibilityMode) {
  r(RCX) = 0xFFFFFFFF00001000ull;  // SYSRETD takes ECX
  r(R11) = 0x202;
  m.map(0x1000, kUserCodePa, 4096, PTE_U);
  m.cpu.sync_mmu();
  m.put(kUserCodePa, {0xeb, 0xfe});
  load({0x0f, 0x07});  // sysret (32-bit operand size)
  run();
  EXPECT_EQ(rip(), 0x1000u);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, 0x18u + 3);  // STAR[63:48], RPL 3
  EXPECT_FALSE(m.cpu.mode64());
  EXPECT_EQ(m.cpu.code_size(), CodeSize::Bits32);
}

TEST_F(SystemTest, SysretWithNonCanonicalRcxFaultsInRingZero) {
  // Intel: #GP(0) before the privilege change (SDM Vol. 2B SYSRET).
  r(RCX) = 0x0000800000000000ull;
  load({0x48, 0x0f, 0x07});
  expect_exception(VEC_GP);
  EXPECT_EQ(stack(2), kKCode);
}

TEST_F(SystemTest, SyscallNeedsEferSce) {
  m.cpu.s.efer &= ~EFER_SCE;
  load({0x0f, 0x05});
  expect_exception(VEC_UD);
}

TEST_F(SystemTest, IretqToRingThreeAndBack) {
  m.set_gate(0x80, kHandlers + 16 * 0x80, 3);
  const uint64_t sp = 0x2F000;
  m.wr(sp, kUserCode);
  m.wr(sp + 8, kUCode);
  m.wr(sp + 16, 0x202 | FL_CF);
  m.wr(sp + 24, kUserStackTop - 0x100);
  m.wr(sp + 32, kUData);
  r(RSP) = sp;
  m.put(kUserCodePa, {0xb8, 0x05, 0x00, 0x00, 0x00, 0xcd, 0x80});  // mov eax, 5; int 0x80
  load({0x48, 0xcf});  // iretq
  run(1);
  EXPECT_EQ(m.cpu.s.cpl(), 3);
  EXPECT_EQ(rip(), kUserCode);
  EXPECT_EQ(r(RSP), kUserStackTop - 0x100);
  EXPECT_EQ(m.cpu.s.seg[SS].sel, kUData);
  EXPECT_EQ(m.cpu.rflags(), 0x202u | FL_CF);
  run();
  ASSERT_TRUE(m.in_handler(0x80));
  EXPECT_EQ(r(RAX), 5u);
  EXPECT_EQ(stack(3), kUserStackTop - 0x100);
  EXPECT_EQ(r(RSP), kKernelStack - 40);
}

TEST_F(SystemTest, IretqWithinRingZeroPopsSsAndRsp) {
  // In 64-bit mode IRET always pops SS:RSP (SDM Vol. 2A IRET, IA-32e mode).
  const uint64_t sp = 0x2F000;
  m.wr(sp, kCode + 0x20);
  m.wr(sp + 8, kKCode);
  m.wr(sp + 16, 0x2);
  m.wr(sp + 24, 0x2E000);
  m.wr(sp + 32, kKData);
  r(RSP) = sp;
  m.put(kCode + 0x20, {0xeb, 0xfe});
  load({0x48, 0xcf});
  run();
  EXPECT_EQ(rip(), kCode + 0x20);
  EXPECT_EQ(r(RSP), 0x2E000u);
}

TEST_F(SystemTest, PrivilegedInstructionsFaultInRingThree) {
  const std::vector<std::vector<uint8_t>> insns = {
      {0x0f, 0x20, 0xd8}, {0x0f, 0x22, 0xd8}, {0x0f, 0x32}, {0x0f, 0x30}, {0x0f, 0x01, 0x10},
      {0x0f, 0x06},       {0x0f, 0x01, 0x38}, {0xfa},       {0xfb},       {0xe4, 0x80},
      {0xee},             {0x0f, 0x01, 0xf8}, {0x0f, 0x09}, {0x0f, 0x21, 0xf8}, {0xf4},
      {0x0f, 0x01, 0x18}, {0x0f, 0x00, 0xd8}, {0x48, 0x0f, 0x07},
  };
  for (const auto& insn : insns) {
    m.log.events.clear();
    user(insn);
    r(RAX) = kUserData;
    run();
    EXPECT_TRUE(m.in_handler(VEC_GP)) << "opcode " << std::hex << int(insn[0]) << " " << int(insn[1 % insn.size()]);
    EXPECT_EQ(stack(0), 0u);
    EXPECT_EQ(stack(1), kUserCode);
  }
}

TEST_F(SystemTest, UnknownMsrIsGp) {
  r(RCX) = 0x12345;
  load({0x0f, 0x32});  // rdmsr
  expect_exception(VEC_GP);
  EXPECT_EQ(stack(0), 0u);
}

TEST_F(SystemTest, MsrRoundTripAndSwapgs) {
  r(RCX) = MSR_KERNEL_GS_BASE;
  r(RAX) = 0x89ABCDEF;
  r(RDX) = 0xFFFF8000;
  load({0x0f, 0x30, 0x0f, 0x01, 0xf8, 0xeb, 0xfe});  // wrmsr; swapgs; jmp $
  m.cpu.s.seg[GS].base = 0x1234;
  run();
  EXPECT_EQ(m.cpu.s.seg[GS].base, 0xFFFF800089ABCDEFull);
  EXPECT_EQ(m.cpu.s.kernel_gs_base, 0x1234u);
}

TEST_F(SystemTest, RdtscCountsInstructions) {
  load({0x0f, 0x31, 0x41, 0x89, 0xc0, 0x90, 0x90, 0x0f, 0x31, 0xeb, 0xfe});  // rdtsc; mov r8d, eax; nop; nop; rdtsc
  run();
  EXPECT_EQ(r(RAX) - r(R8), 4u);  // the clock is the instruction count (docs/ARCHITECTURE.md)
}

// ---- SYSENTER / SYSEXIT (SDM Vol. 2B): Intel semantics in IA-32e mode ----
TEST_F(SystemTest, SysenterFromRingThreeEntersSixtyFourBitRingZero) {
  m.cpu.s.sysenter_cs = kKCode;
  m.cpu.s.sysenter_esp = 0xFFFF800000012340ull;  // all 64 bits are used in IA-32e mode
  m.cpu.s.sysenter_eip = kCode + 0x100;
  m.put(kCode + 0x100, {0xeb, 0xfe});
  user({0x0f, 0x34});  // sysenter
  m.cpu.set_rflags(0x202 | FL_CF);
  run();
  EXPECT_EQ(rip(), kCode + 0x100);
  EXPECT_EQ(r(RSP), 0xFFFF800000012340ull);
  EXPECT_EQ(m.cpu.s.cpl(), 0);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kKCode);
  EXPECT_EQ(m.cpu.s.seg[SS].sel, kKCode + 8u);
  EXPECT_TRUE(m.cpu.mode64());
  EXPECT_EQ(m.cpu.rflags(), 0x2u | FL_CF) << "IF cleared, the rest kept";
  EXPECT_TRUE(m.log.exceptions().empty());
}

TEST_F(SystemTest, SysexitWithRexWReturnsToSixtyFourBitRingThree) {
  m.cpu.s.sysenter_cs = kKCode;
  r(RDX) = kUserCode + 0x10;
  r(RCX) = kUserStackTop - 0x40;
  m.put(kUserCodePa + 0x10, {0xeb, 0xfe});
  load({0x48, 0x0f, 0x35});  // sysexitq
  run();
  EXPECT_EQ(rip(), kUserCode + 0x10);
  EXPECT_EQ(r(RSP), kUserStackTop - 0x40);
  EXPECT_EQ(m.cpu.s.cpl(), 3);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kKCode + 32u + 3);  // SYSENTER_CS + 32, RPL 3
  EXPECT_EQ(m.cpu.s.seg[SS].sel, kKCode + 40u + 3);
  EXPECT_TRUE(m.cpu.mode64());
}

TEST_F(SystemTest, SysexitWithoutRexWReturnsToCompatibilityMode) {
  m.cpu.s.sysenter_cs = kKCode;
  r(RDX) = 0xFFFFFFFF00001000ull;  // EDX
  r(RCX) = 0x2000;
  m.map(0x1000, kUserCodePa, 4096, PTE_U);
  m.cpu.sync_mmu();
  m.put(kUserCodePa, {0xeb, 0xfe});
  load({0x0f, 0x35});
  run();
  EXPECT_EQ(rip(), 0x1000u);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kUCode32);  // SYSENTER_CS + 16, RPL 3
  EXPECT_EQ(m.cpu.s.seg[SS].sel, kUData);    // SYSENTER_CS + 24, RPL 3
  EXPECT_EQ(m.cpu.code_size(), CodeSize::Bits32);
}

TEST_F(SystemTest, SysenterAndSysexitNeedANonNullSysenterCs) {
  m.cpu.s.sysenter_cs = 3;  // bits 15:2 zero
  load({0x0f, 0x34});
  expect_exception(VEC_GP);
  m.log.events.clear();
  load({0x48, 0x0f, 0x35});
  expect_exception(VEC_GP);
}

TEST_F(SystemTest, SysexitChecksCanonicalTargetsAndCpl) {
  m.cpu.s.sysenter_cs = kKCode;
  r(RDX) = 0x0000800000000000ull;
  r(RCX) = kUserStackTop;
  load({0x48, 0x0f, 0x35});
  expect_exception(VEC_GP);
  EXPECT_EQ(m.cpu.s.cpl(), 0) << "#GP in ring 0, before the switch";
  m.log.events.clear();
  user({0x48, 0x0f, 0x35});
  expect_exception(VEC_GP);
}

// ---- UMIP (CR4.UMIP, SDM Vol. 3A §2.5) ----
TEST_F(SystemTest, UmipMakesDescriptorStoresFaultOnlyAboveRingZero) {
  const std::vector<std::vector<uint8_t>> insns = {
      {0x0f, 0x01, 0x00},  // sgdt [rax]
      {0x0f, 0x01, 0x08},  // sidt [rax]
      {0x0f, 0x00, 0x00},  // sldt [rax]
      {0x0f, 0x00, 0x08},  // str [rax]
      {0x0f, 0x01, 0xe0},  // smsw eax
  };
  for (const bool umip : {false, true}) {
    for (const auto& insn : insns) {
      for (const unsigned cpl : {0u, 3u}) {
        m.log.events.clear();
        m.cpu.s.cr4 = umip ? (m.cpu.s.cr4 | CR4_UMIP) : (m.cpu.s.cr4 & ~CR4_UMIP);
        std::vector<uint8_t> code = insn;
        code.insert(code.end(), {0xeb, 0xfe});
        if (cpl) user(code);
        else m.set_cpl(0), load(code);
        r(RAX) = cpl ? kUserData : kData;
        run();
        const bool gp = !m.log.exceptions().empty() && m.log.exceptions().back() == VEC_GP;
        EXPECT_EQ(gp, umip && cpl == 3) << "umip " << umip << " cpl " << cpl << " opcode " << std::hex
                                        << int(insn[1]) << " " << int(insn[2]);
      }
    }
  }
}

TEST_F(SystemTest, Cr4ReservedAndUnsupportedBitsAreGp) {
  for (const unsigned bit : {12u, 15u, 23u, 25u, 31u, 32u, 63u}) {
    m.log.events.clear();
    r(RAX) = m.cpu.s.cr4 | (1ull << bit);
    load({0x0f, 0x22, 0xe0, 0xeb, 0xfe});  // mov cr4, rax
    expect_exception(VEC_GP);
  }
}

// ---- INVLPG, LTR/LLDT corners ----
TEST_F(SystemTest, InvlpgOfANonCanonicalAddressIsANop) {
  r(RAX) = 0x0000800000000000ull;
  load({0x0f, 0x01, 0x38, 0xeb, 0xfe});  // invlpg [rax]
  run();
  EXPECT_TRUE(m.log.exceptions().empty());
  EXPECT_EQ(rip(), kCode + 3);
}

TEST_F(SystemTest, LtrAndLldtRefuseANonCanonicalBaseOrABadUpperHalf) {
  // A free 16-byte GDT slot at 0x40 (the test GDT holds 0x00..0x3F).
  m.cpu.s.gdtr.limit = 0x4F;
  auto sys_desc = [&](unsigned type, uint64_t base, uint32_t hi_extra) {
    const uint64_t lo = 0x67 | ((base & 0xFFFFFF) << 16) | (uint64_t(type) << 40) | (1ull << 47) |
                        (((base >> 24) & 0xFF) << 56);
    m.wr(kGdt + 0x40, lo);
    m.wr(kGdt + 0x48, (base >> 32) | (uint64_t(hi_extra) << 32));
  };
  struct Case { unsigned type; uint64_t base; uint32_t hi; bool ok; std::vector<uint8_t> insn; };
  const std::vector<uint8_t> ltr = {0x0f, 0x00, 0xd8}, lldt = {0x0f, 0x00, 0xd0};  // ltr ax; lldt ax
  const Case cases[] = {
      {0x9, 0xFFFF800000001000ull, 0, true, ltr},   {0x9, 0x0000800000001000ull, 0, false, ltr},
      {0x9, 0x1000, 0x100, false, ltr},             {0x2, 0x0000800000001000ull, 0, false, lldt},
      {0x2, 0x1000, 0, true, lldt},
  };
  for (const Case& k : cases) {
    m.log.events.clear();
    sys_desc(k.type, k.base, k.hi);
    r(RAX) = 0x40;
    load(k.insn);
    m.put(kCode + 3, {0xeb, 0xfe});
    run();
    if (k.ok) {
      EXPECT_TRUE(m.log.exceptions().empty()) << std::hex << k.base;
    } else {
      ASSERT_FALSE(m.log.exceptions().empty()) << std::hex << k.base;
      EXPECT_EQ(m.log.exceptions().back(), VEC_GP);
      EXPECT_EQ(stack(0), 0x40u) << "error code = the selector";
    }
  }
}

// ---- Protection keys: RDPKRU/WRPKRU, IA32_PKRS (SDM Vol. 2B, Vol. 3A §4.6.2) ----
TEST_F(SystemTest, PkruInstructionsNeedCr4PkeAndZeroEcx) {
  load({0x31, 0xc9, 0x0f, 0x01, 0xee, 0xeb, 0xfe});  // xor ecx, ecx; rdpkru
  expect_exception(VEC_UD);
  m.log.events.clear();
  m.cpu.s.cr4 |= CR4_PKE;
  m.cpu.sync_mmu();
  r(RAX) = 0x0C;
  r(RCX) = 1;
  load({0x0f, 0x01, 0xef, 0xeb, 0xfe});  // wrpkru with ECX = 1
  expect_exception(VEC_GP);
  m.log.events.clear();
  // wrpkru (EAX = 0xC, ECX = EDX = 0); rdpkru into EAX, EDX; cpuid leaf 7 for OSPKE
  load({0xb8, 0x0c, 0, 0, 0, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xef, 0x31, 0xc0, 0xba, 1, 0, 0, 0,
        0x0f, 0x01, 0xee, 0x49, 0x89, 0xc0, 0xb8, 7, 0, 0, 0, 0x31, 0xc9, 0x0f, 0xa2, 0xeb, 0xfe});
  run();
  EXPECT_TRUE(m.log.exceptions().empty());
  EXPECT_EQ(m.cpu.s.pkru, 0x0Cu);
  EXPECT_EQ(r(R8), 0x0Cu) << "RDPKRU returns PKRU in EAX";
  EXPECT_TRUE((r(RCX) >> 4) & 1) << "CPUID.7:ECX.OSPKE follows CR4.PKE";
}

TEST_F(SystemTest, PkruAccessDisableFaultsAUserReadWithThePkBit) {
  m.cpu.s.cr4 |= CR4_PKE;
  m.cpu.sync_mmu();
  // mov eax, 1 (AD for key 0); xor ecx, ecx; xor edx, edx; wrpkru; mov rax, [rbx]
  user({0xb8, 1, 0, 0, 0, 0x31, 0xc9, 0x31, 0xd2, 0x0f, 0x01, 0xef, 0x48, 0x8b, 0x03, 0xeb, 0xfe});
  r(RBX) = kUserData;
  run();
  ASSERT_TRUE(m.in_handler(VEC_PF));
  EXPECT_EQ(stack(0), PF_P | PF_U | PF_PK);
  EXPECT_EQ(m.cpu.s.cr2, kUserData);
  EXPECT_EQ(stack(1), kUserCode + 12) << "the load faulted, after WRPKRU ran";
}

TEST_F(SystemTest, PkrsMsrKeepsThirtyTwoBits) {
  r(RCX) = MSR_PKRS;
  r(RAX) = 0x30;
  r(RDX) = 1;
  load({0x0f, 0x30, 0xeb, 0xfe});  // wrmsr with bit 32 set
  expect_exception(VEC_GP);
  m.log.events.clear();
  r(RCX) = MSR_PKRS;
  r(RAX) = 0x30;
  r(RDX) = 0;
  load({0x0f, 0x30, 0x31, 0xc0, 0x0f, 0x32, 0xeb, 0xfe});  // wrmsr; xor eax, eax; rdmsr
  run();
  EXPECT_TRUE(m.log.exceptions().empty());
  EXPECT_EQ(r(RAX), 0x30u);
  EXPECT_EQ(m.cpu.s.pkrs, 0x30u);
}

// ---- NMI (SDM Vol. 3A §6.7.1): IF does not mask it; one handler at a time ----
TEST_F(SystemTest, NmiIgnoresIfAndWaitsForTheHandlersIret) {
  m.cpu.set_rflags(0x2);  // IF = 0
  load({0x90, 0x90, 0xeb, 0xfe});
  m.cpu.raise_nmi();
  run(1);
  ASSERT_TRUE(m.in_handler(VEC_NMI)) << "taken at the boundary, with IF = 0";
  EXPECT_EQ(stack(0), kCode) << "before the first NOP";
  // A second NMI while the handler runs stays pending until an IRET.
  m.cpu.raise_nmi();
  run(5);
  EXPECT_EQ(std::count(m.log.exceptions().begin(), m.log.exceptions().end(), VEC_NMI), 0)
      << "NMIs are delivered as interrupts, not exceptions";
  ASSERT_TRUE(m.in_handler(VEC_NMI)) << "still in the first handler";
  const uint64_t sp = r(RSP);
  m.put(kCode + 0x40, {0x48, 0xcf});  // the handler ends: iretq (run from elsewhere)
  m.cpu.s.rip = kCode + 0x40;
  run(2);  // the IRETQ, then the held NMI before the next instruction
  ASSERT_TRUE(m.in_handler(VEC_NMI)) << "the held NMI is taken right after the IRET";
  EXPECT_EQ(r(RSP), sp) << "a fresh frame where the old one was popped";
}

}  // namespace
}  // namespace slot::cputest
