// Stack instructions and near/far control flow in 64-bit mode (SDM Vol. 2B
// PUSH, POP, PUSHF/POPF, ENTER, LEAVE; Vol. 2A CALL, JMP; Vol. 2B RET).
#include <algorithm>

#include "tests/cpu/unit_common.h"

namespace slot::cputest {
namespace {
using namespace cpu;

TEST_F(CpuTest, PushPopForms) {
  const uint64_t top = 0x30000;
  r(RSP) = top;
  r(RAX) = 0x1122334455667788;
  load({
      0x50,                          // push rax
      0x68, 0x00, 0x00, 0x00, 0x80,  // push 0xffffffff80000000 (imm32 sign-extended to 64)
      0x6a, 0xff,                    // push -1
      0x66, 0x50,                    // push ax: a 2-byte push
      0xeb, 0xfe,                    // jmp $
  });
  run();
  EXPECT_EQ(r(RSP), top - 26);
  EXPECT_EQ(m.rd(top - 8), 0x1122334455667788u);
  EXPECT_EQ(m.rd(top - 16), 0xFFFFFFFF80000000u);
  EXPECT_EQ(m.rd(top - 24), ~0ull);
  EXPECT_EQ(m.rd(top - 26, 2), 0x7788u);
}

TEST_F(CpuTest, PushRspPushesOldValueAndPopRspLoadsIt) {
  const uint64_t top = 0x30000;
  r(RSP) = top;
  load({0x54, 0xeb, 0xfe});  // push rsp; jmp $
  run();
  EXPECT_EQ(m.rd(top - 8), top);  // SDM PUSH: "pushes the value of RSP as it existed before"
  m.wr(0x2F000, 0x12345678);
  r(RSP) = 0x2F000;
  load({0x5c, 0xeb, 0xfe});  // pop rsp; jmp $
  run();
  EXPECT_EQ(r(RSP), 0x12345678u);  // the popped value wins over the increment
}

TEST_F(CpuTest, PopMemoryWithRspBaseUsesIncrementedRsp) {
  // SDM POP: an RSP-based destination address is computed after the increment.
  const uint64_t sp = 0x2F000;
  r(RSP) = sp;
  m.wr(sp, 0xAAAA);
  m.wr(sp + 8, 0xBBBB);
  load({0x8f, 0x04, 0x24, 0xeb, 0xfe});  // pop qword [rsp]; jmp $
  run();
  EXPECT_EQ(r(RSP), sp + 8);
  EXPECT_EQ(m.rd(sp + 8), 0xAAAAu);
}

TEST_F(CpuTest, PushfPopfInRingZero) {
  r(RSP) = 0x30000;
  m.cpu.set_rflags(0x2 | x86::FL_CF | x86::FL_ZF);
  load({0x9c, 0xeb, 0xfe});  // pushfq; jmp $
  run();
  EXPECT_EQ(m.rd(0x30000 - 8), 0x2u | x86::FL_CF | x86::FL_ZF);
  // POPF at CPL 0 may set IF and IOPL; RF and VM are never loaded (SDM POPF).
  m.wr(0x30000 - 8, 0x2 | x86::FL_IF | x86::FL_IOPL | x86::FL_DF | x86::FL_RF | x86::FL_VM | x86::FL_OF);
  r(RSP) = 0x30000 - 8;
  load({0x9d, 0xeb, 0xfe});  // popfq; jmp $
  run();
  EXPECT_EQ(m.cpu.rflags(), 0x2u | x86::FL_IF | x86::FL_IOPL | x86::FL_DF | x86::FL_OF);
}

TEST_F(CpuTest, EnterAndLeave) {
  const uint64_t top = 0x30000, old_rbp = 0x2F800;
  r(RSP) = top;
  r(RBP) = old_rbp;
  m.wr(old_rbp - 8, 0xD15C0);  // the enclosing frame's display entry
  load({
      0xc8, 0x10, 0x00, 0x02,  // enter 0x10, 2
      0xeb, 0xfe,              // jmp $
  });
  run();
  // SDM ENTER (level 2): push rbp; frame = rsp; push [rbp-8]; push frame; rbp = frame; rsp -= 16.
  const uint64_t frame = top - 8;
  EXPECT_EQ(m.rd(top - 8), old_rbp);
  EXPECT_EQ(m.rd(top - 16), 0xD15C0u);
  EXPECT_EQ(m.rd(top - 24), frame);
  EXPECT_EQ(r(RBP), frame);
  EXPECT_EQ(r(RSP), top - 24 - 0x10);
  load({0xc9, 0xeb, 0xfe});  // leave; jmp $
  run();
  EXPECT_EQ(r(RSP), top);
  EXPECT_EQ(r(RBP), old_rbp);
}

TEST_F(CpuTest, EnterChecksTheFinalStackPointerForWrite) {
  // SDM ENTER: #PF "if a write using the final value of the stack pointer
  // would cause a page fault": frame below on a read-only page -> #PF with W.
  const uint64_t ro = 0x50000000;
  m.map(ro, 0x800000, 4096, 0);            // read-only
  m.map(ro + 4096, 0x801000, 4096, x86::PTE_W);
  m.cpu.sync_mmu();
  m.set_gate(x86::VEC_PF, kHandlers + 16 * x86::VEC_PF, 0, 1);  // deliver on IST1, not next to the RO page
  r(RSP) = ro + 4096 + 0x10;
  r(RBP) = 0x1234;
  const uint64_t rsp = r(RSP);
  load({0xc8, 0x20, 0x00, 0x00});  // enter 0x20, 0: pushes at ro+0x1008, final RSP ro+0xFE8
  expect_exception(x86::VEC_PF);
  EXPECT_EQ(stack(0), x86::PF_P | x86::PF_W);
  EXPECT_EQ(m.cpu.s.cr2, ro + 4096 + 0x8 - 0x20);
  EXPECT_EQ(stack(4), rsp);     // RSP and RBP restored: the fault restarts ENTER
  EXPECT_EQ(r(RBP), 0x1234u);
}

TEST_F(CpuTest, NearCallRetAndIndirectForms) {
  r(RSP) = 0x30000;
  r(RBX) = kData;
  m.wr(kData, kCode + 0x40);       // call [rbx] target
  m.wr(kData + 8, kCode + 0x50);   // jmp [rbx+8] target
  load({
      0xff, 0x13,  // call qword [rbx]   -> kCode+0x40
      0xeb, 0xfe,  // jmp $ (returned here)
  });
  m.put(kCode + 0x40, {0xc2, 0x08, 0x00});  // ret 8: pops the return address, then 8 bytes more
  r(RSP) = 0x30000;
  run();
  EXPECT_EQ(rip(), kCode + 2);
  EXPECT_EQ(r(RSP), 0x30000u + 8);
  EXPECT_EQ(m.rd(0x30000 - 8), kCode + 2);  // the pushed return address
  load({0xff, 0x63, 0x08});  // jmp qword [rbx+8]
  m.put(kCode + 0x50, {0xff, 0xd0});  // call rax
  m.put(kCode + 0x60, {0xeb, 0xfe});
  r(RAX) = kCode + 0x60;
  run();
  EXPECT_EQ(rip(), kCode + 0x60);
  EXPECT_EQ(m.rd(r(RSP)), kCode + 0x52);
}

TEST_F(CpuTest, NonCanonicalNearTargetFaultsBeforeTransfer) {
  // SDM JMP/CALL: #GP(0) if the target is not canonical; nothing is pushed.
  r(RSP) = 0x30000;
  r(RAX) = 0x0000800000000000ull;
  load({0xff, 0xd0});  // call rax
  expect_exception(x86::VEC_GP);
  // Frame: error code, RIP (the faulting CALL), CS, RFLAGS, RSP (unchanged: nothing pushed), SS.
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(stack(1), kCode);
  EXPECT_EQ(stack(2), kKCode);
  EXPECT_EQ(stack(4), 0x30000u);
}

TEST_F(CpuTest, FarJmpCallRetfThroughMemory) {
  r(RSP) = 0x30000;
  r(RBX) = kData;
  m.wr(kData, kCode + 0x40);   // m16:64 = offset, then selector
  m.wr(kData + 8, kKCode, 2);
  load({0x48, 0xff, 0x1b, 0xeb, 0xfe});  // call far qword [rbx]; jmp $
  m.put(kCode + 0x40, {0x48, 0xcb});     // retfq
  run(1);
  EXPECT_EQ(rip(), kCode + 0x40);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kKCode);
  EXPECT_EQ(m.rd(0x30000 - 8), kKCode);          // CS pushed first ...
  EXPECT_EQ(m.rd(0x30000 - 16), kCode + 3);      // ... then RIP (SDM CALL far, 64-bit operand size)
  run();
  EXPECT_EQ(rip(), kCode + 3);
  EXPECT_EQ(r(RSP), 0x30000u);
  load({0x48, 0xff, 0x2b});  // jmp far qword [rbx]
  m.put(kCode + 0x40, {0xeb, 0xfe});
  run();
  EXPECT_EQ(rip(), kCode + 0x40);
  EXPECT_EQ(r(RSP), 0x30000u);
}

TEST_F(CpuTest, FarReturnToRingThree) {
  // RETF to an outer level pops RIP, CS, then RSP and SS (SDM RET, "return to outer privilege level").
  const uint64_t sp = 0x2F000;
  r(RSP) = sp;
  m.wr(sp, kUserCode);
  m.wr(sp + 8, kUCode);
  m.wr(sp + 16, kUserStackTop);
  m.wr(sp + 24, kUData);
  load({0x48, 0xcb});  // retfq
  m.put(kUserCodePa, {0x90, 0xf4});  // nop; hlt (-> #GP at CPL 3)
  run(2);
  EXPECT_EQ(m.cpu.s.cpl(), 3);
  EXPECT_EQ(m.cpu.s.seg[CS].sel, kUCode);
  EXPECT_EQ(m.cpu.s.seg[SS].sel, kUData);
  EXPECT_EQ(r(RSP), kUserStackTop);
  EXPECT_EQ(rip(), kUserCode + 1);
  // HLT at CPL 3: #GP(0) (SDM HLT), delivered on the TSS.RSP0 stack.
  expect_exception(x86::VEC_GP);
  EXPECT_EQ(r(RSP), kKernelStack - 48);
  EXPECT_EQ(stack(1), kUserCode + 1);
  EXPECT_EQ(stack(2), kUCode);
  EXPECT_EQ(stack(4), kUserStackTop);
  EXPECT_EQ(stack(5), kUData);
}

// A run must stop exactly at its limit also inside a straight run of pure
// register instructions, which the interpreter may execute as one chain of
// handlers (issue 18; at most Cpu::kChain at a time): every limit from 1 to
// past the chain bound, after a first pass has linked the instructions. The
// expected registers are the arithmetic of the first L instructions.
TEST_F(CpuTest, RunLimitInsideAStraightRunOfRegisterInstructions) {
  constexpr unsigned kC = cpu::Cpu::kChain, kN = 2 * kC + 22;
  std::vector<uint8_t> code;
  for (unsigned i = 0; i < kN; ++i) {
    if (i % 2 == 0) code.insert(code.end(), {0x48, 0x01, 0xd8});  // add rax, rbx
    else code.insert(code.end(), {0x48, 0xff, 0xc1});             // inc rcx
  }
  code.insert(code.end(), {0xeb, 0xfe});  // jmp $
  load(code);
  r(RAX) = 0, r(RBX) = 3, r(RCX) = 0;
  ASSERT_EQ(run(), kN);  // links the instructions
  ASSERT_EQ(r(RAX), 3u * (kN / 2));
  for (unsigned limit : {1u, 2u, 3u, kC - 2, kC - 1, kC, kC + 1, kC + 2, kC + 37, 2 * kC - 1, 2 * kC,
                         2 * kC + 1, kN - 1, kN}) {
    r(RAX) = 0, r(RBX) = 3, r(RCX) = 0;
    m.cpu.s.rip = kCode;
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + limit);
    EXPECT_EQ(m.cpu.icount() - start, limit);
    EXPECT_EQ(rip(), kCode + 3 * limit) << "limit " << limit;
    EXPECT_EQ(r(RAX), 3u * ((limit + 1) / 2)) << "limit " << limit;
    EXPECT_EQ(r(RCX), limit / 2) << "limit " << limit;
  }
}

// The same through a loop: a chain may run through a 64-bit Jcc, taken back
// to the loop's top or not taken into the pure instruction after the loop.
// Every limit around the iterations' ends and the chain bound; the expected
// registers and RIP are the arithmetic of the first L instructions.
TEST_F(CpuTest, RunLimitInsideALoopOfRegisterInstructionsAndJcc) {
  constexpr unsigned kC = cpu::Cpu::kChain, kIters = kC / 2 + 3;
  load({0x48, 0x01, 0xd8,   // top: add rax, rbx
        0x48, 0xff, 0xc1,   //      inc rcx
        0x48, 0xff, 0xca,   //      dec rdx
        0x75, 0xf5,         //      jnz top
        0x48, 0xff, 0xc6,   //      inc rsi
        0xeb, 0xfe});       //      jmp $
  const auto reset = [&] {
    r(RAX) = 0, r(RBX) = 3, r(RCX) = 0, r(RDX) = kIters, r(RSI) = 0;
    m.cpu.s.rip = kCode;
  };
  reset();
  ASSERT_EQ(run(), 4 * kIters + 1);
  // Two more whole runs link the instructions, both ways out of the JNZ (the
  // first leaves it before `inc rsi` is decoded).
  for (int pass = 0; pass < 2; ++pass) {
    reset();
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + 4 * kIters + 1);
    ASSERT_EQ(r(RSI), 1u);
    ASSERT_EQ(rip(), kCode + 14);
  }
  std::vector<unsigned> limits;
  for (unsigned l = 1; l <= 14; ++l) limits.push_back(l);
  for (unsigned l = kC - 3; l <= kC + 4; ++l) limits.push_back(l);
  for (unsigned l = 2 * kC - 3; l <= 2 * kC + 4; ++l) limits.push_back(l);
  for (unsigned l = 4 * kIters - 2; l <= 4 * kIters + 1; ++l) limits.push_back(l);
  for (unsigned limit : limits) {
    reset();
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + limit);
    const unsigned done = std::min(limit, 4 * kIters), k = done / 4, rest = done % 4;
    EXPECT_EQ(m.cpu.icount() - start, limit);
    EXPECT_EQ(r(RAX), 3u * (k + (rest >= 1))) << "limit " << limit;
    EXPECT_EQ(r(RCX), k + (rest >= 2)) << "limit " << limit;
    EXPECT_EQ(r(RDX), kIters - k - (rest >= 3)) << "limit " << limit;
    EXPECT_EQ(r(RSI), limit > 4 * kIters ? 1u : 0u) << "limit " << limit;
    const uint64_t at = limit > 4 * kIters ? 14 : limit == 4 * kIters ? 11 : rest * 3;
    EXPECT_EQ(rip(), kCode + at) << "limit " << limit;
  }
}

// And where the Jcc's way out is a memory access (taken: the store at the
// loop's top; not taken: the store after the loop), which chains too.
TEST_F(CpuTest, RunLimitInALoopWhoseJccLeadsToAStore) {
  constexpr unsigned kIters = cpu::Cpu::kChain / 2 + 7;
  constexpr uint64_t kNone = 0x5A5A5A5A;
  load({0x48, 0x89, 0x0f,         // top: mov [rdi], rcx
        0x48, 0x01, 0xd8,         //      add rax, rbx
        0x48, 0xff, 0xc1,         //      inc rcx
        0x48, 0xff, 0xca,         //      dec rdx
        0x75, 0xf2,               //      jnz top
        0x48, 0x89, 0x47, 0x08,   //      mov [rdi+8], rax
        0xeb, 0xfe});             //      jmp $
  const auto reset = [&] {
    r(RAX) = 0, r(RBX) = 3, r(RCX) = 0, r(RDX) = kIters, r(RDI) = kData;
    m.wr(kData, kNone), m.wr(kData + 8, kNone);
    m.cpu.s.rip = kCode;
  };
  reset();
  ASSERT_EQ(run(), 5 * kIters + 1);
  for (int pass = 0; pass < 2; ++pass) {  // link both ways out of the JNZ
    reset();
    m.cpu.run(m.cpu.icount() + 5 * kIters + 1);
    ASSERT_EQ(m.rd(kData + 8), 3u * kIters);
  }
  for (unsigned limit = 1; limit <= 5 * kIters + 1; ++limit) {
    reset();
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + limit);
    const unsigned done = std::min(limit, 5 * kIters), k = done / 5, rest = done % 5;
    const unsigned stores = k + (rest >= 1);
    EXPECT_EQ(m.cpu.icount() - start, limit);
    EXPECT_EQ(m.rd(kData), stores ? stores - 1 : kNone) << "limit " << limit;
    EXPECT_EQ(r(RAX), 3u * (k + (rest >= 2))) << "limit " << limit;
    EXPECT_EQ(r(RCX), k + (rest >= 3)) << "limit " << limit;
    EXPECT_EQ(r(RDX), kIters - k - (rest >= 4)) << "limit " << limit;
    EXPECT_EQ(m.rd(kData + 8), limit > 5 * kIters ? 3u * kIters : kNone) << "limit " << limit;
    const uint64_t at = limit > 5 * kIters ? 18 : limit == 5 * kIters ? 14 : rest * 3;
    EXPECT_EQ(rip(), kCode + at) << "limit " << limit;
  }
}

// Loads and stores inside chains (64-bit base, base + index forms; a 32-bit
// load zero-extends, SDM Vol. 1 §3.4.1.1): each quadword the loop loads is
// one it stored two iterations before, so a load or store run out of order,
// twice or not at all changes what follows. Every limit up to the end.
TEST_F(CpuTest, RunLimitInALoopOfLoadsAndStores) {
  constexpr unsigned kIters = cpu::Cpu::kChain / 4 + 5, kBody = 8;
  constexpr uint64_t kNone = 0x5A5A5A5A5A5A5A5A, kQ0 = 0x0000000700000005, kQ1 = 11;
  load({0x4c, 0x8b, 0x04, 0xcf,         // top: mov r8, [rdi+rcx*8]
        0x4c, 0x01, 0xc0,               //      add rax, r8
        0x48, 0x89, 0x44, 0xcf, 0x10,   //      mov [rdi+rcx*8+16], rax
        0x48, 0xff, 0xc1,               //      inc rcx
        0x44, 0x8b, 0x4f, 0x04,         //      mov r9d, [rdi+4]
        0x4c, 0x01, 0xcb,               //      add rbx, r9
        0x48, 0xff, 0xca,               //      dec rdx
        0x75, 0xe5,                     //      jnz top
        0x48, 0x89, 0x47, 0x08,         //      mov [rdi+8], rax
        0xeb, 0xfe});                   //      jmp $
  constexpr uint8_t kOff[] = {0, 4, 7, 12, 15, 19, 22, 25, 27, 31};  // instruction offsets
  const auto reset = [&] {
    r(RAX) = 0, r(RBX) = 0, r(RCX) = 0, r(RDX) = kIters, r(RDI) = kData, r(R8) = kNone, r(R9) = kNone;
    m.wr(kData, kQ0), m.wr(kData + 8, kQ1);
    for (unsigned q = 2; q < kIters + 2; ++q) m.wr(kData + 8 * q, kNone);
    m.cpu.s.rip = kCode;
  };
  reset();
  ASSERT_EQ(run(), kBody * kIters + 1);
  for (int pass = 0; pass < 2; ++pass) {  // link both ways out of the JNZ
    reset();
    m.cpu.run(m.cpu.icount() + kBody * kIters + 1);
    ASSERT_EQ(rip(), kCode + kOff[9]);
  }
  for (unsigned limit = 1; limit <= kBody * kIters + 2; ++limit) {
    reset();
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + limit);
    // The program's first `limit` instructions, one by one (the loop ends
    // when dec makes rdx 0; then one store and the spin, which never ends).
    std::vector<uint64_t> q(kIters + 2, kNone);
    q[0] = kQ0, q[1] = kQ1;
    uint64_t rax = 0, rbx = 0, rcx = 0, rdx = kIters, r8 = kNone, r9 = kNone;
    unsigned at = 0;  // index into kOff
    for (unsigned i = 0; i < limit; ++i) {
      switch (at) {
        case 0: r8 = q[rcx]; break;
        case 1: rax += r8; break;
        case 2: q[rcx + 2] = rax; break;
        case 3: ++rcx; break;
        case 4: r9 = uint32_t(kQ0 >> 32); break;
        case 5: rbx += r9; break;
        case 6: --rdx; break;
        case 7: at = rdx ? 0 : 8; continue;
        case 8: q[1] = rax; break;
        default: continue;  // jmp $
      }
      ++at;
    }
    EXPECT_EQ(m.cpu.icount() - start, limit);
    EXPECT_EQ(rip(), kCode + kOff[at]) << "limit " << limit;
    EXPECT_EQ(r(RAX), rax) << "limit " << limit;
    EXPECT_EQ(r(RBX), rbx) << "limit " << limit;
    EXPECT_EQ(r(RCX), rcx) << "limit " << limit;
    EXPECT_EQ(r(RDX), rdx) << "limit " << limit;
    EXPECT_EQ(r(R8), r8) << "limit " << limit;
    EXPECT_EQ(r(R9), r9) << "limit " << limit;
    for (unsigned k = 0; k < q.size(); ++k) EXPECT_EQ(m.rd(kData + 8 * k), q[k]) << "limit " << limit << " q" << k;
  }
}

// PUSH r64 and POP r64 inside chains (SDM Vol. 1 §6.2: a push decrements
// RSP and then stores, a pop loads and then increments): each iteration pops
// what it pushed, in the opposite order, and leaves one quadword more on the
// stack, so a push or pop run out of order, twice or not at all changes
// registers, RSP or the stack. Every limit up to the end.
TEST_F(CpuTest, RunLimitInALoopOfPushesAndPops) {
  constexpr unsigned kIters = cpu::Cpu::kChain / 4 + 5, kBody = 10;
  constexpr uint64_t kNone = 0x5A5A5A5A5A5A5A5A, kTop = kData + 0x1000;
  load({0x48, 0x01, 0xd8,   // top: add rax, rbx
        0x50,               //      push rax
        0x53,               //      push rbx
        0x48, 0xff, 0xc3,   //      inc rbx
        0x59,               //      pop rcx
        0x5a,               //      pop rdx
        0x48, 0x01, 0xc8,   //      add rax, rcx
        0x52,               //      push rdx
        0x48, 0xff, 0xce,   //      dec rsi
        0x75, 0xed,         //      jnz top
        0x41, 0x58,         //      pop r8
        0xeb, 0xfe});       //      jmp $
  constexpr uint8_t kOff[] = {0, 3, 4, 5, 8, 9, 10, 13, 14, 17, 19, 21};  // instruction offsets
  constexpr unsigned kSlots = kIters + 4;  // quadwords below kTop the test watches
  const auto reset = [&] {
    r(RAX) = 1, r(RBX) = 3, r(RCX) = kNone, r(RDX) = kNone, r(RSI) = kIters, r(R8) = kNone, r(RSP) = kTop;
    for (unsigned q = 1; q <= kSlots; ++q) m.wr(kTop - 8 * q, kNone);
    m.cpu.s.rip = kCode;
  };
  reset();
  ASSERT_EQ(run(), kBody * kIters + 1);
  for (unsigned limit = 1; limit <= kBody * kIters + 2; ++limit) {
    reset();
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + limit);
    // The program's first `limit` instructions, one by one (the loop ends
    // when dec makes rsi 0; then one pop and the spin, which never ends).
    std::vector<uint64_t> q(kSlots + 1, kNone);  // q[k]: the quadword at kTop - 8k
    uint64_t rax = 1, rbx = 3, rcx = kNone, rdx = kNone, rsi = kIters, r8 = kNone, sp = 0;  // sp: in quadwords below kTop
    const auto push = [&](uint64_t v) { q[++sp] = v; };
    const auto pop = [&] { return q[sp--]; };
    unsigned at = 0;  // index into kOff
    for (unsigned i = 0; i < limit; ++i) {
      switch (at) {
        case 0: rax += rbx; break;
        case 1: push(rax); break;
        case 2: push(rbx); break;
        case 3: ++rbx; break;
        case 4: rcx = pop(); break;
        case 5: rdx = pop(); break;
        case 6: rax += rcx; break;
        case 7: push(rdx); break;
        case 8: --rsi; break;
        case 9: at = rsi ? 0 : 10; continue;
        case 10: r8 = pop(); break;
        default: continue;  // jmp $
      }
      ++at;
    }
    EXPECT_EQ(m.cpu.icount() - start, limit);
    EXPECT_EQ(rip(), kCode + kOff[at]) << "limit " << limit;
    EXPECT_EQ(r(RSP), kTop - 8 * sp) << "limit " << limit;
    EXPECT_EQ(r(RAX), rax) << "limit " << limit;
    EXPECT_EQ(r(RBX), rbx) << "limit " << limit;
    EXPECT_EQ(r(RCX), rcx) << "limit " << limit;
    EXPECT_EQ(r(RDX), rdx) << "limit " << limit;
    EXPECT_EQ(r(RSI), rsi) << "limit " << limit;
    EXPECT_EQ(r(R8), r8) << "limit " << limit;
    for (unsigned k = 1; k <= kSlots; ++k) EXPECT_EQ(m.rd(kTop - 8 * k), q[k]) << "limit " << limit << " q" << k;
    if (testing::Test::HasFailure()) return;
  }
}

// POP RSP in a chain: the increment comes first, so RSP ends up holding the
// value read (SDM Vol. 2B POP: "POP ESP ... increments the stack pointer
// before data at the old top of stack is written into the destination").
// A loop (chains form once its links are made) follows a list of stack
// slots, each holding the next one's address, two to a page: a pop from
// the first of a page misses the fast path (the slow half), one from the
// second hits it (the fast half).
TEST_F(CpuTest, PopRspInAChainLoadsTheValueRead) {
  constexpr unsigned kN = 20;
  const auto slot = [](unsigned k) { return kData + 0x10000 + 0x1000 * (k / 2) + 16 * (k % 2); };
  for (unsigned k = 0; k <= kN; ++k) m.wr(slot(k), slot(k + 1)), m.wr(slot(k) + 8, 0);
  r(RSP) = slot(0), r(RAX) = 0, r(RCX) = kN;
  load({0x48, 0xff, 0xc0,   // top: inc rax
        0x5c,               //      pop rsp
        0x48, 0xff, 0xc9,   //      dec rcx
        0x75, 0xf7,         //      jnz top
        0xeb, 0xfe});       //      jmp $
  m.cpu.run(m.cpu.icount() + 1000);
  EXPECT_EQ(rip(), kCode + 9);
  EXPECT_EQ(r(RSP), slot(kN));
  EXPECT_EQ(r(RAX), kN);
}

// The same with FS and GS overrides, whose bases 64-bit mode adds (SDM Vol. 1
// §3.3.7.1; the chaining forms test for them at decode time): two different
// bases, so neither may be dropped or taken for the other. The loop also
// loads and stores at RDI without an override, so that the page an access
// without its base would reach is one the fast path serves.
TEST_F(CpuTest, LoadsAndStoresInAChainAddTheFsAndGsBases) {
  constexpr unsigned kN = 40;
  constexpr uint64_t kFs = 0x1000, kGs = 0x2000;
  m.cpu.s.seg[FS].base = kFs, m.cpu.s.seg[GS].base = kGs;
  load({0x4c, 0x8b, 0x0f,                     // top: mov r9, [rdi]
        0x4c, 0x89, 0x0f,                     //      mov [rdi], r9
        0x64, 0x4c, 0x8b, 0x04, 0xcf,         //      mov r8, fs:[rdi+rcx*8]
        0x49, 0x83, 0xc0, 0x01,               //      add r8, 1
        0x65, 0x4c, 0x89, 0x44, 0xcf, 0x08,   //      mov gs:[rdi+rcx*8+8], r8
        0x48, 0xff, 0xc1,                     //      inc rcx
        0x48, 0xff, 0xca,                     //      dec rdx
        0x75, 0xe3,                           //      jnz top
        0xeb, 0xfe});                         //      jmp $
  for (unsigned q = 0; q <= kN; ++q) {
    m.wr(kData + 8 * q, 7);
    m.wr(kData + kFs + 8 * q, 1000 * q);
    m.wr(kData + kGs + 8 * q, 0);
  }
  r(RDI) = kData, r(RCX) = 0, r(RDX) = kN;
  EXPECT_EQ(run(), 8u * kN);
  for (unsigned q = 0; q < kN; ++q) {
    EXPECT_EQ(m.rd(kData + kGs + 8 * (q + 1)), 1000 * q + 1) << q;
    EXPECT_EQ(m.rd(kData + 8 * q), 7u) << q;
  }
  EXPECT_EQ(m.rd(kData + kGs), 0u);
}

}  // namespace
}  // namespace slot::cputest
