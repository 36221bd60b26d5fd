// Self-modifying code: the decoded-instruction cache is keyed by physical
// address and must drop what a store overwrote (SDM Vol. 3A §11.6: a write
// to code, even to an already prefetched instruction, takes effect).
#include "tests/cpu/unit_common.h"

namespace slot::cputest {
namespace {
using namespace cpu;

TEST_F(CpuTest, OverwrittenInstructionRunsInItsNewForm) {
  r(RBX) = kCode;
  r(RCX) = 0;
  load({
      0xb8, 0x01, 0x00, 0x00, 0x00,  // X:    mov eax, 1
      0xff, 0xc1,                    //       inc ecx
      0x83, 0xf9, 0x02,              //       cmp ecx, 2
      0x74, 0x06,                    //       je done
      0xc6, 0x43, 0x01, 0x02,        //       mov byte [rbx+1], 2   (imm of X := 2)
      0xeb, 0xee,                    //       jmp X
      0xeb, 0xfe,                    // done: jmp $
  });
  run();
  EXPECT_EQ(r(RCX), 2u);
  EXPECT_EQ(r(RAX), 2u);
}

TEST_F(CpuTest, StoreToTheNextInstructionTakesEffect) {
  r(RCX) = 3;
  load({
      0xfe, 0x05, 0x01, 0x00, 0x00, 0x00,  // L: inc byte [rip+1]  (the imm of the next MOV)
      0xb8, 0x01, 0x00, 0x00, 0x00,        //    mov eax, imm
      0xff, 0xc9,                          //    dec ecx
      0x75, 0xf1,                          //    jnz L
      0xeb, 0xfe,
  });
  run();
  EXPECT_EQ(r(RAX), 4u);  // 1 -> 2, 3, 4: each pass runs the freshly patched MOV
}

// A store in a loop whose instructions are linked (Insn::next, taken: the
// loop's second iteration on), to the instruction after it: iterations
// 0..K-1 store to other pages on the way down, iteration K turns
// `add rax, rbx` into `add rax, rcx`, which that iteration already runs in
// its new form. The link from the store to the old form must not survive.
TEST_F(CpuTest, StoreInAChainToTheNextInstructionTakesEffect) {
  constexpr unsigned kK = 12, kN = kK + 3;
  constexpr uint64_t kAt = kCode + 0x8000;  // the loop; the stores walk down through its page
  r(RAX) = 0, r(RBX) = 1000, r(RCX) = 0, r(RDX) = kN;
  r(RDI) = kAt + 6 + 4096 * kK, r(RSI) = uint64_t(-4096), r(R8) = 0x48c80148;  // add rax, rcx; 0x48
  load({0x48, 0xff, 0xc1,         // top: inc rcx
        0x44, 0x89, 0x07,         //      mov [rdi], r8d
        0x48, 0x01, 0xd8,         //      add rax, rbx
        0x48, 0x01, 0xf7,         //      add rdi, rsi
        0x48, 0xff, 0xca,         //      dec rdx
        0x75, 0xef,               //      jnz top
        0xeb, 0xfe},              //      jmp $
       kAt);
  EXPECT_EQ(run(), 6u * kN);
  uint64_t rax = 1000 * kK;
  for (unsigned j = kK; j < kN; ++j) rax += j + 1;  // rcx after iteration j's inc
  EXPECT_EQ(r(RAX), rax);
  EXPECT_EQ(m.rd(kAt + 6, 4), 0x48c80148u);
}

TEST_F(CpuTest, StoreThroughAnAliasMappingInvalidates) {
  // A second virtual mapping of the code's physical page: the store uses it,
  // the fetch uses the original. Only physical tagging catches this.
  const uint64_t alias = 0x50000000;
  m.map(alias, kCode, 4096, x86::PTE_W);
  m.cpu.sync_mmu();
  r(RBX) = alias;
  r(RCX) = 0;
  load({
      0xb8, 0x01, 0x00, 0x00, 0x00,  // X: mov eax, 1
      0xff, 0xc1, 0x83, 0xf9, 0x02, 0x74, 0x06,
      0xc6, 0x43, 0x01, 0x07,        //    mov byte [rbx+1], 7 (through the alias)
      0xeb, 0xee, 0xeb, 0xfe,
  });
  run();
  EXPECT_EQ(r(RAX), 7u);
}

TEST_F(CpuTest, CodeRewrittenByTheHostIsSeenToo) {
  // The loader or debugger writes through PhysMemory::write: same rule.
  load({0xb8, 0x01, 0x00, 0x00, 0x00, 0xeb, 0xfe});
  run();
  EXPECT_EQ(r(RAX), 1u);
  m.put(kCode + 1, {0x09});
  m.cpu.s.rip = kCode;
  run();
  EXPECT_EQ(r(RAX), 9u);
}

TEST_F(CpuTest, RepStosOverItsOwnCodePage) {
  // REP STOSB that overwrites instructions after itself in the same page:
  // the loop exits and the next instruction is the new one (NOPs then a MOV).
  r(RDI) = kCode + 2;
  r(RCX) = 16;
  r(RAX) = 0x90;
  std::vector<uint8_t> code = {0xf3, 0xaa};  // rep stosb
  for (int k = 0; k < 16; ++k) code.push_back(0xf4);  // hlt x16, overwritten by NOPs
  code.insert(code.end(), {0xb8, 0x33, 0x00, 0x00, 0x00, 0xeb, 0xfe});  // mov eax, 0x33; jmp $
  load(code);
  run();
  EXPECT_EQ(r(RAX), 0x33u);
  EXPECT_FALSE(m.cpu.halted());
}

}  // namespace
}  // namespace slot::cputest
