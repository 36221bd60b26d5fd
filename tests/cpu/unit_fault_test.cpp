// Faults: #PF error codes and CR2 (SDM Vol. 3A §4.7), restart with RIP
// unchanged (§6.5 "faults"), #GP/#SS on non-canonical addresses (§3.3.7.1),
// #UD for LOCK on a register form (Vol. 2A §2.1.1), #DE, #DF and shutdown
// (§6.15 table 6-5, interrupt 8).
#include "tests/cpu/unit_common.h"

namespace slot::cputest {
namespace {
using namespace cpu;
using namespace x86;

constexpr uint64_t kHole = 0x50000000;  // never mapped unless a test maps it

// Interrupt frame with an error code: [0] error, [1] RIP, [2] CS, [3] RFLAGS, [4] RSP, [5] SS.
TEST_F(CpuTest, PageFaultNotPresentRead) {
  r(RBX) = kHole;
  r(RAX) = 0x1234;
  load({0x48, 0x8b, 0x03});  // mov rax, [rbx]
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), 0u);  // P=0 W=0 U=0 I=0
  EXPECT_EQ(stack(1), kCode);
  EXPECT_EQ(m.cpu.s.cr2, kHole);
  EXPECT_EQ(r(RAX), 0x1234u);
}

TEST_F(CpuTest, PageFaultNotPresentWrite) {
  r(RBX) = kHole + 0x10;
  load({0x48, 0xc7, 0x03, 0x07, 0x00, 0x00, 0x00});  // mov qword [rbx], 7
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), PF_W);
  EXPECT_EQ(m.cpu.s.cr2, kHole + 0x10);
}

TEST_F(CpuTest, PageFaultUserReadsSupervisorPage) {
  m.set_cpl(3);
  r(RSP) = kUserStackTop;
  r(RBX) = kData;  // present, supervisor-only
  m.put(kUserCodePa, {0x48, 0x8b, 0x03});  // mov rax, [rbx]
  m.cpu.s.rip = kUserCode;
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), PF_P | PF_U);
  EXPECT_EQ(stack(1), kUserCode);
  EXPECT_EQ(stack(2), kUCode);
  EXPECT_EQ(stack(4), kUserStackTop);
  EXPECT_EQ(r(RSP), kKernelStack - 48);  // switched to TSS.RSP0
  EXPECT_EQ(m.cpu.s.cr2, kData);
}

TEST_F(CpuTest, WriteProtectInRingZero) {
  m.map(kHole, 0x800000, 4096, 0);  // present, read-only
  m.cpu.sync_mmu();
  r(RBX) = kHole;
  load({0x48, 0xc7, 0x03, 0x07, 0x00, 0x00, 0x00, 0xeb, 0xfe});  // mov qword [rbx], 7; jmp $
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), PF_P | PF_W);  // CR0.WP=1: supervisor writes honour R/W (SDM §4.6.1)
  // With CR0.WP=0 a supervisor write to a read-only page succeeds.
  m.log.events.clear();
  m.cpu.s.cr0 &= ~CR0_WP;
  m.cpu.sync_mmu();
  r(RSP) = kKernelStack - 0x800;
  load({0x48, 0xc7, 0x03, 0x07, 0x00, 0x00, 0x00, 0xeb, 0xfe});
  run();
  EXPECT_TRUE(m.log.exceptions().empty());
  EXPECT_EQ(m.rd(0x800000), 7u);
}

TEST_F(CpuTest, FetchFaults) {
  // A jump into a not-present page: the fetch faults, RIP = the target, I/D set.
  r(RAX) = kHole;
  load({0xff, 0xe0});  // jmp rax
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), PF_I);
  EXPECT_EQ(stack(1), kHole);
  EXPECT_EQ(m.cpu.s.cr2, kHole);
}

TEST_F(CpuTest, FetchFromNoExecutePageInRingThree) {
  m.set_cpl(3);
  r(RSP) = kUserStackTop;
  r(RAX) = kUserData;  // user, writable, NX (EFER.NXE=1)
  m.put(kUserCodePa, {0xff, 0xe0});  // jmp rax
  m.cpu.s.rip = kUserCode;
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), PF_P | PF_U | PF_I);
  EXPECT_EQ(stack(1), kUserData);
  EXPECT_EQ(m.cpu.s.cr2, kUserData);
}

TEST_F(CpuTest, FaultRestartsTheInstructionAfterTheHandlerFixesThePage) {
  const uint64_t pte = m.pte_addr(kHole);
  ASSERT_LT(pte, 0x80000000u);
  m.wr(0x800000, 0xCAFE);
  // #PF handler: map the page (P|W|A|D -> 0x800000), drop the error code, IRETQ.
  const uint64_t handler = kCode + 0x1000;
  const uint64_t pteval = 0x800000 | PTE_P | PTE_W | PTE_A | PTE_D;
  std::vector<uint8_t> h = {
      0x51,              // push rcx
      0x0f, 0x20, 0xd1,  // mov rcx, cr2
      0x0f, 0x01, 0x39,  // invlpg [rcx]
      0x48, 0xb9,        // movabs rcx, pteval
  };
  for (int k = 0; k < 8; ++k) h.push_back(uint8_t(pteval >> (8 * k)));
  h.insert(h.end(), {0x48, 0x89, 0x0c, 0x25});  // mov [pte], rcx
  for (int k = 0; k < 4; ++k) h.push_back(uint8_t(pte >> (8 * k)));
  h.insert(h.end(), {0x59,                      // pop rcx
                     0x48, 0x83, 0xc4, 0x08,    // add rsp, 8
                     0x48, 0xcf});              // iretq
  m.put(handler, h);
  m.set_gate(VEC_PF, handler);
  r(RBX) = kHole + 8;
  m.wr(0x800008, 0xCAFE);
  const uint64_t rsp = r(RSP);
  load({0x4c, 0x8b, 0x03, 0xeb, 0xfe});  // mov r8, [rbx]; jmp $
  run();
  EXPECT_EQ(m.log.exceptions(), std::vector<uint8_t>{VEC_PF});
  EXPECT_EQ(r(R8), 0xCAFEu);
  EXPECT_EQ(rip(), kCode + 3);
  EXPECT_EQ(r(RSP), rsp);
}

TEST_F(CpuTest, RepMovsFaultKeepsProgress) {
  // A fault in iteration k leaves RCX/RSI/RDI as after k-1 iterations and
  // RIP at the instruction, so it resumes where it stopped (SDM Vol. 2B REP).
  m.map(kHole, 0x800000, 4096, PTE_W);  // kHole+4096 stays unmapped
  m.cpu.sync_mmu();
  r(RSI) = kData;
  r(RDI) = kHole + 4096 - 5;
  r(RCX) = 16;
  for (int k = 0; k < 16; ++k) m.wr(kData + k, 0xA0 + k, 1);
  load({0xf3, 0xa4});  // rep movsb
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(1), kCode);
  EXPECT_EQ(r(RCX), 11u);
  EXPECT_EQ(r(RSI), kData + 5);
  EXPECT_EQ(r(RDI), kHole + 4096);
  EXPECT_EQ(m.cpu.s.cr2, kHole + 4096);
  EXPECT_EQ(m.rd(0x800000 + 4096 - 5, 1), 0xA0u);
  EXPECT_EQ(m.rd(0x800000 + 4096 - 1, 1), 0xA4u);
}

// A #PF on a load or store that a chain of linked instructions runs (the
// loop's second iteration on): the count, RIP, CR2 and the registers are as
// after the instructions before it, one by one (SDM Vol. 3A §6.5: a fault
// reports the faulting instruction, nothing of it done). The loop walks up
// to the end of the one mapped page, 16 bytes an iteration; `store_first`
// starts it 8 bytes lower, so the store reaches the next page first. One
// run() call with a limit far beyond (run_to_spin would end the run just
// after the fault, whose instruction then runs alone); the count at the
// delivery is what the exception's event sees.
class ChainFault : public CpuTest {
 protected:
  struct Seen : cpu::CpuObserver {
    const cpu::Cpu* c;
    std::vector<cpu::CpuEvent> events;
    std::vector<uint64_t> counts;
    void on_cpu_event(const cpu::CpuEvent& e) override {
      if (e.kind != cpu::CpuEventKind::Exception) return;
      events.push_back(e);
      counts.push_back(c->icount());
    }
  };
  // One run() with a far limit, watched; expects it to end in the #PF
  // handler. Returns the exceptions and the count at each, from the start.
  Seen run_to_pf() {
    Seen seen;
    seen.c = &m.cpu;
    m.cpu.set_observer(&seen);
    const uint64_t start = m.cpu.icount();
    m.cpu.run(start + 10000);
    m.cpu.set_observer(&m.log);
    EXPECT_TRUE(m.in_handler(VEC_PF)) << "RIP=" << std::hex << rip();
    for (uint64_t& n : seen.counts) n -= start;
    return seen;
  }
  void check(bool store_first) {
    constexpr unsigned kK = 40, kBody = 6;  // kK iterations complete
    constexpr uint64_t kPa = 0x800000;
    m.map(kHole, kPa, 4096, PTE_W);  // kHole+4096 stays unmapped
    m.cpu.sync_mmu();
    for (unsigned q = 0; q < 512; ++q) m.wr(kPa + 8 * q, 3 * q + 1);
    const uint64_t from = kHole + 4096 - 16 * kK - (store_first ? 8 : 0);  // rdi in iteration 0
    r(RAX) = 0, r(RDI) = from - 16, r(RSI) = 16, r(RDX) = 1000;
    load({0x48, 0x01, 0xf7,         // top: add rdi, rsi
          0x4c, 0x8b, 0x07,         //      mov r8, [rdi]
          0x4c, 0x01, 0xc0,         //      add rax, r8
          0x48, 0x89, 0x47, 0x08,   //      mov [rdi+8], rax
          0x48, 0xff, 0xca,         //      dec rdx
          0x75, 0xee,               //      jnz top
          0xeb, 0xfe});             //      jmp $
    const Seen seen = run_to_pf();
    // Iteration kK faults on its load, or (store_first) on its store, after the instructions before.
    const uint64_t at = kCode + (store_first ? 9 : 3);
    ASSERT_EQ(seen.events.size(), 1u);
    EXPECT_EQ(seen.events[0].vector, VEC_PF);
    EXPECT_EQ(seen.events[0].rip, at);
    EXPECT_EQ(seen.counts[0], kBody * kK + (store_first ? 3 : 1) + 1);  // + the delivery
    const auto loaded = [&](unsigned j) { return 3 * ((from - kHole) / 8 + 2 * j) + 1; };  // by iteration j
    uint64_t rax = 0;
    for (unsigned j = 0; j < kK + (store_first ? 1 : 0); ++j) rax += loaded(j);
    EXPECT_EQ(stack(0), store_first ? PF_W : 0u);
    EXPECT_EQ(stack(1), at);
    EXPECT_EQ(m.cpu.s.cr2, kHole + 4096);
    EXPECT_EQ(r(RAX), rax);
    EXPECT_EQ(r(RDI), kHole + 4096 - (store_first ? 8 : 0));
    EXPECT_EQ(r(RDX), 1000u - kK);
    // The last store that landed: iteration kK-1's.
    EXPECT_EQ(m.rd(kPa + 4096 - (store_first ? 16 : 8)), rax - (store_first ? loaded(kK) : 0));
  }
};
TEST_F(ChainFault, OnALoad) { check(false); }
TEST_F(ChainFault, OnAStore) { check(true); }

// A push or pop inside a chain that faults (#PF, the page below or above
// the stack's one not present): as for a load or store, the count at the
// delivery is that of the instructions before it, the frame's RIP is the
// push's or pop's, and RSP is as before it (SDM Vol. 3A §6.5: a fault
// restores the state before the instruction). The #PF gate uses IST1, so
// its frame does not go onto the missing page.
class ChainStackFault : public ChainFault {
 protected:
  void check(bool pop) {
    constexpr unsigned kK = 40, kBody = 5;  // kK iterations complete
    constexpr uint64_t kPa = 0x800000;
    const uint64_t page = pop ? kHole : kHole + 4096;  // the other page stays unmapped
    m.map(page, kPa, 4096, PTE_W);
    m.cpu.sync_mmu();
    m.set_gate(VEC_PF, kHandlers + 16 * VEC_PF, 0, 1);
    for (unsigned q = 0; q < 512; ++q) m.wr(kPa + 8 * q, 5 * q + 2);
    const uint64_t sp0 = pop ? kHole + 4096 - 8 * kK : kHole + 4096 + 8 * kK;
    r(RAX) = 0, r(RBX) = 1, r(RDX) = 1000, r(RSP) = sp0;
    load({0x48, 0x01, 0xd8,                  // top: add rax, rbx
          uint8_t(pop ? 0x59 : 0x50),         //      pop rcx / push rax
          0x48, 0x01, 0xcb,                  //      add rbx, rcx
          0x48, 0xff, 0xca,                  //      dec rdx
          0x75, 0xf4,                        //      jnz top
          0xeb, 0xfe});                      //      jmp $
    const Seen seen = run_to_pf();
    ASSERT_EQ(seen.events.size(), 1u);
    EXPECT_EQ(seen.events[0].rip, kCode + 3);
    EXPECT_EQ(seen.counts[0], kBody * kK + 1 + 1);  // + the add, + the delivery
    // The program, iteration by iteration (rcx: 0 unless popped).
    uint64_t rax = 0, rbx = 1, rcx = 0, sp = sp0;
    std::vector<std::pair<uint64_t, uint64_t>> pushed;  // (address, value)
    for (unsigned j = 0; j < kK; ++j) {
      rax += rbx;
      if (pop) rcx = 5 * ((sp - kHole) / 8) + 2, sp += 8;
      else sp -= 8, pushed.push_back({sp, rax});
      rbx += rcx;
    }
    rax += rbx;  // iteration kK's add, before its push or pop faults
    EXPECT_EQ(stack(0), pop ? 0u : PF_W);  // error code: not present, supervisor
    EXPECT_EQ(stack(1), kCode + 3);
    EXPECT_EQ(sp, kHole + 4096);
    EXPECT_EQ(stack(4), sp);  // RSP as before the faulting push or pop
    EXPECT_EQ(m.cpu.s.cr2, pop ? kHole + 4096 : kHole + 4096 - 8);
    EXPECT_EQ(r(RAX), rax);
    EXPECT_EQ(r(RBX), rbx);
    EXPECT_EQ(r(RDX), 1000u - kK);
    for (const auto& [va, v] : pushed) EXPECT_EQ(m.rd(kPa + (va - page)), v) << std::hex << va;
  }
};
TEST_F(ChainStackFault, OnAPush) { check(false); }
TEST_F(ChainStackFault, OnAPop) { check(true); }

TEST_F(CpuTest, NonCanonicalDataAccessIsGp) {
  r(RBX) = 0x0000800000000000ull;
  load({0x48, 0x8b, 0x03});  // mov rax, [rbx]
  expect_exception(VEC_GP);
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(stack(1), kCode);
}

// The same page, reached once through its canonical address (so the TLB and
// any fast-path structure now hold it) and then through an address whose
// bits 47:0 are the same but whose bits 63:48 are not bit 47's copies: the
// second is still non-canonical, #GP(0) on that instruction (§3.3.7.1).
TEST_F(CpuTest, NonCanonicalAliasOfACachedPageIsGp) {
  m.wr(kData, 0x1122334455667788ull, 8);
  r(RBX) = kData;
  r(RCX) = kData | 0x8000000000000000ull;
  load({0x48, 0x8b, 0x03,    // mov rax, [rbx]
        0x48, 0x8b, 0x11});  // mov rdx, [rcx]
  expect_exception(VEC_GP);
  EXPECT_EQ(r(RAX), 0x1122334455667788ull);
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(stack(1), kCode + 3);
}

// Sequential execution off the top of the lower canonical half: the last
// instruction there completes, and fetching the next one is a non-canonical
// reference, #GP(0) with RIP = 0x0000800000000000 (§3.3.7.1). An instruction
// that straddles into that address faults as a whole, RIP at its first byte.
TEST_F(CpuTest, FetchPastTheLowerHalfIsGp) {
  constexpr uint64_t kTop = 0x00007FFFFFFFF000ull, kTopPa = 0x900000;
  m.map(kTop, kTopPa, 0x1000, 0);
  m.cpu.sync_mmu();
  m.put(kTopPa + 0xFFE, {0x90, 0x90});  // nop; nop (the second at 0x7FFFFFFFFFFF)
  r(RAX) = 0;
  m.cpu.s.rip = kTop + 0xFFE;
  expect_exception(VEC_GP);
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(stack(1), 0x0000800000000000ull);
}
TEST_F(CpuTest, FetchStraddlingOutOfTheLowerHalfIsGp) {
  constexpr uint64_t kTop = 0x00007FFFFFFFF000ull, kTopPa = 0x900000;
  m.map(kTop, kTopPa, 0x1000, 0);
  m.cpu.sync_mmu();
  m.put(kTopPa + 0xFFE, {0x90, 0x48});  // nop; then a REX prefix whose instruction goes on past the top
  m.cpu.s.rip = kTop + 0xFFE;
  expect_exception(VEC_GP);
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(stack(1), kTop + 0xFFF);
}

TEST_F(CpuTest, NonCanonicalStackAccessIsSs) {
  // SS-relative (RSP-based) non-canonical references raise #SS(0). The #SS
  // gate uses IST1, so delivery has a good stack.
  m.set_gate(VEC_SS, kHandlers + 16 * VEC_SS, 0, 1);
  r(RSP) = 0xFFFF700000000000ull;
  load({0x48, 0x8b, 0x04, 0x24});  // mov rax, [rsp]
  expect_exception(VEC_SS);
  EXPECT_EQ(r(RSP), kIstStack - 48);
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(stack(1), kCode);
  EXPECT_EQ(stack(4), 0xFFFF700000000000ull);
}

TEST_F(CpuTest, LockOnRegisterFormIsUd) {
  r(RAX) = 5;
  const uint64_t rsp = r(RSP);
  load({0xf0, 0x83, 0xc0, 0x01});  // lock add eax, 1
  expect_exception(VEC_UD);
  EXPECT_EQ(r(RSP), rsp - 40);  // #UD pushes no error code
  EXPECT_EQ(stack(0), kCode);
  EXPECT_EQ(r(RAX), 5u);
}

TEST_F(CpuTest, DivideErrorLeavesOperandsAlone) {
  r(RAX) = 10;
  r(RDX) = 3;
  r(RCX) = 0;
  load({0x48, 0xf7, 0xf1});  // div rcx
  expect_exception(VEC_DE);
  EXPECT_EQ(stack(0), kCode);
  EXPECT_EQ(r(RAX), 10u);
  EXPECT_EQ(r(RDX), 3u);
}

TEST_F(CpuTest, PageFaultDuringPageFaultDeliveryIsDoubleFault) {
  // #PF whose gate is not present: #NP while delivering #PF -> #DF (table 6-5), error code 0.
  m.wr(kIdt + 16 * VEC_PF + 5, 0x0E, 1);  // clear P in the gate
  r(RBX) = kHole;
  load({0x48, 0x8b, 0x03});
  expect_exception(VEC_DF);
  EXPECT_EQ(stack(0), 0u);
  EXPECT_EQ(m.cpu.s.cr2, kHole);
}

TEST_F(CpuTest, TripleFaultStopsTheMachineWithAReport) {
  m.cpu.s.idtr.limit = 0;  // every delivery faults: #UD -> #GP -> #DF -> shutdown
  load({0x0f, 0x0b});      // ud2
  EXPECT_EQ(m.cpu.run(m.cpu.icount() + 100), StopReason::TripleFault);
  EXPECT_FALSE(m.cpu.shutdown_report().empty());
  EXPECT_EQ(m.cpu.run(m.cpu.icount() + 100), StopReason::TripleFault);  // stays down
}

TEST_F(CpuTest, OneGigabytePage) {
  // A 1 GiB PDPTE mapping (PS=1, SDM Vol. 3A §4.5 table 4-16): VA 4 GiB + x -> PA x.
  const uint64_t va = 4ull << 30;
  m.map_1g(va, 0, PTE_W);
  m.cpu.sync_mmu();
  m.wr(kData + 0x40, 0x5A5A);
  r(RBX) = va + kData + 0x40;
  load({0x48, 0x8b, 0x03, 0x48, 0xc7, 0x43, 0x08, 0x33, 0x00, 0x00, 0x00, 0xeb, 0xfe});  // mov rax,[rbx]; mov qword [rbx+8],0x33
  run();
  EXPECT_EQ(r(RAX), 0x5A5Au);
  EXPECT_EQ(m.rd(kData + 0x48), 0x33u);
}

TEST_F(CpuTest, InstructionStraddlingPages) {
  // movabs rax, imm64 (10 bytes) starting 4 bytes before a page boundary; the
  // two virtual pages map to physical pages that are not adjacent.
  const uint64_t va = kHole + 4096 - 4;
  m.map(kHole, 0x900000, 4096, 0);
  m.map(kHole + 4096, 0x805000, 4096, 0);
  m.cpu.sync_mmu();
  const uint8_t code[] = {0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0xeb, 0xfe};
  for (unsigned k = 0; k < sizeof code; ++k) m.wr(k < 4 ? 0x900000 + 4092 + k : 0x805000 + k - 4, code[k], 1);
  m.cpu.s.rip = va;
  run();
  EXPECT_EQ(r(RAX), 0x1122334455667788u);
  EXPECT_EQ(rip(), kHole + 4096 + 6);
  // Second page gone: the fetch faults at the boundary, RIP at the instruction.
  m.unmap(kHole + 4096);
  m.cpu.sync_mmu();
  r(RAX) = 0;
  m.cpu.s.rip = va;
  expect_exception(VEC_PF);
  EXPECT_EQ(stack(0), PF_I);
  EXPECT_EQ(stack(1), va);
  EXPECT_EQ(m.cpu.s.cr2, kHole + 4096);
  EXPECT_EQ(r(RAX), 0u);
}

}  // namespace
}  // namespace slot::cputest
