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
