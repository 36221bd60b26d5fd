// Per-encoding decoder tests (docs/ARCHITECTURE.md, "blink"): each expectation
// is written from the SDM's encoding rules (Vol. 2A ch. 2), not from the
// decoder's output: prefixes, REX, ModRM/SIB, RIP-relative and 16-bit
// addressing, moffs, imm64, mandatory prefixes and the 15-byte limit.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "cpu/decoder.h"
#include "cpu/state.h"

namespace slot::cputest {
namespace {
using namespace slot::cpu;

struct Decoded {
  DecodeStatus st;
  Insn d;
  unsigned max_fetched;  // highest byte index the decoder asked for, +1
};

Decoded dec(CodeSize cs, std::initializer_list<uint8_t> bytes) {
  std::vector<uint8_t> b(bytes);
  b.resize(32, 0xCC);
  Decoded r{};
  r.st = decode(cs, [&](unsigned i) { r.max_fetched = std::max(r.max_fetched, i + 1); return b[i]; }, r.d);
  return r;
}
Decoded d64(std::initializer_list<uint8_t> b) { return dec(CodeSize::Bits64, b); }
Decoded d32(std::initializer_list<uint8_t> b) { return dec(CodeSize::Bits32, b); }
bool is_ud(const Insn& d) { return d.fn == &ud<1> || d.fn == &ud<2> || d.fn == &ud<4> || d.fn == &ud<8>; }
std::string mn(const Decoded& r) { return mnemonic(r.d); }

TEST(DecoderUnit, RegisterFormAndOperandSize) {
  auto r = d64({0x48, 0x89, 0xD8});  // mov rax, rbx
  ASSERT_EQ(r.st, DecodeStatus::Ok);
  EXPECT_EQ(r.d.len, 3);
  EXPECT_EQ(r.d.osz, 8);
  EXPECT_EQ(r.d.reg, RBX);
  EXPECT_EQ(r.d.rm, RAX);
  EXPECT_FALSE(r.d.mem());
  EXPECT_EQ(mn(r), "mov");
  EXPECT_EQ(d64({0x89, 0xD8}).d.osz, 4);
  EXPECT_EQ(d64({0x66, 0x89, 0xD8}).d.osz, 2);
  EXPECT_EQ(d64({0x66, 0x48, 0x89, 0xD8}).d.osz, 8);  // REX.W beats 66
  EXPECT_EQ(d32({0x89, 0xD8}).d.osz, 4);
  EXPECT_EQ(d32({0x66, 0x89, 0xD8}).d.osz, 2);
  EXPECT_EQ(mn(d32({0x48})), "dec");  // 48 is DEC EAX outside 64-bit mode
}

TEST(DecoderUnit, RexExtendsRegistersAndMustBeLast) {
  EXPECT_EQ(d64({0x41, 0x89, 0xC0}).d.rm, R8);
  EXPECT_EQ(d64({0x44, 0x89, 0xC0}).d.reg, R8);
  // A REX followed by a legacy prefix is ignored (SDM Vol. 2A §2.2.1).
  auto r = d64({0x48, 0x66, 0x89, 0xD8});
  EXPECT_EQ(r.d.len, 4);
  EXPECT_EQ(r.d.osz, 2);
  EXPECT_FALSE(r.d.flags & IF_REX);
  // Byte registers 4-7 are AH..BH without REX, SPL..DIL with any REX.
  auto ah = d64({0x88, 0xE0});
  EXPECT_EQ(ah.d.reg, 4);
  EXPECT_FALSE(ah.d.flags & IF_REX);
  EXPECT_TRUE(d64({0x40, 0x88, 0xE0}).d.flags & IF_REX);
  // 90 + REX.B is XCHG r8, rax.
  auto x = d64({0x41, 0x90});
  EXPECT_EQ(x.d.len, 2);
  EXPECT_EQ(x.d.reg, R8);
}

TEST(DecoderUnit, SibForms) {
  auto r = d64({0x8B, 0x04, 0x24});  // mov eax, [rsp]
  EXPECT_EQ(r.d.len, 3);
  EXPECT_TRUE(r.d.mem());
  EXPECT_EQ(r.d.base, RSP);
  EXPECT_EQ(r.d.index, NO_REG);
  EXPECT_EQ(r.d.seg, SS);
  r = d64({0x8B, 0x44, 0x24, 0xF8});  // mov eax, [rsp-8]
  EXPECT_EQ(r.d.len, 4);
  EXPECT_EQ(r.d.disp, -8);
  r = d64({0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12});  // mov eax, [0x12345678] (no base, no index)
  EXPECT_EQ(r.d.len, 7);
  EXPECT_EQ(r.d.base, NO_REG);
  EXPECT_EQ(r.d.index, NO_REG);
  EXPECT_EQ(r.d.disp, 0x12345678);
  EXPECT_EQ(r.d.seg, DS);
  r = d64({0x4A, 0x8B, 0x04, 0xC8});  // mov rax, [rax + r9*8]
  EXPECT_EQ(r.d.base, RAX);
  EXPECT_EQ(r.d.index, R9);
  EXPECT_EQ(r.d.scale, 3);
  r = d64({0x42, 0x8B, 0x04, 0x60});  // REX.X turns index 4 into r12: [rax + r12*2]
  EXPECT_EQ(r.d.index, R12);
  EXPECT_EQ(r.d.scale, 1);
  r = d64({0x41, 0x8B, 0x45, 0x00});  // [r13+0]: mod=01 needed, base r13, default DS
  EXPECT_EQ(r.d.len, 4);
  EXPECT_EQ(r.d.base, R13);
  EXPECT_EQ(r.d.seg, DS);
  r = d64({0x8B, 0x45, 0x10});  // [rbp+0x10] defaults to SS
  EXPECT_EQ(r.d.seg, SS);
  r = d64({0x41, 0x8B, 0x04, 0x24});  // [r12] needs a SIB like rsp
  EXPECT_EQ(r.d.len, 4);
  EXPECT_EQ(r.d.base, R12);
  r = d64({0x8B, 0x84, 0x91, 0x00, 0x01, 0x00, 0x00});  // [rcx + rdx*4 + 0x100]
  EXPECT_EQ(r.d.len, 7);
  EXPECT_EQ(r.d.disp, 0x100);
}

TEST(DecoderUnit, RipRelativeOnlyIn64BitMode) {
  auto r = d64({0x8B, 0x05, 0x10, 0x00, 0x00, 0x00});
  EXPECT_EQ(r.d.len, 6);
  EXPECT_EQ(r.d.base, RIP_REG);
  EXPECT_EQ(r.d.disp, 0x10);
  r = d32({0x8B, 0x05, 0x10, 0x00, 0x00, 0x00});  // 32-bit: absolute disp32
  EXPECT_EQ(r.d.len, 6);
  EXPECT_EQ(r.d.base, NO_REG);
  EXPECT_EQ(r.d.asz, 4);
  r = d64({0x67, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00});  // [eip+disp32]
  EXPECT_EQ(r.d.base, RIP_REG);
  EXPECT_EQ(r.d.asz, 4);
}

TEST(DecoderUnit, SixteenBitAddressing) {
  auto r = d32({0x67, 0x8B, 0x00});  // mov eax, [bx+si]
  EXPECT_EQ(r.d.len, 3);
  EXPECT_EQ(r.d.asz, 2);
  EXPECT_EQ(r.d.base, RBX);
  EXPECT_EQ(r.d.index, RSI);
  r = d32({0x67, 0x8B, 0x46, 0xF0});  // [bp-0x10], SS
  EXPECT_EQ(r.d.len, 4);
  EXPECT_EQ(r.d.base, RBP);
  EXPECT_EQ(r.d.index, NO_REG);
  EXPECT_EQ(r.d.disp, -16);
  EXPECT_EQ(r.d.seg, SS);
  r = d32({0x67, 0x8B, 0x06, 0x34, 0x12});  // [0x1234]: mod=00 rm=110 is disp16
  EXPECT_EQ(r.d.len, 5);
  EXPECT_EQ(r.d.base, NO_REG);
  EXPECT_EQ(r.d.disp, 0x1234);
  r = d32({0x67, 0x8B, 0x82, 0x00, 0x80});  // [bp+si-0x8000]: disp16 sign-extends
  EXPECT_EQ(r.d.len, 5);
  EXPECT_EQ(r.d.disp, -0x8000);
  EXPECT_EQ(r.d.seg, SS);
  r = d32({0x67, 0x8B, 0x04});  // 16-bit addressing has no SIB: rm=100 is [si]
  EXPECT_EQ(r.d.len, 3);
  EXPECT_EQ(r.d.base, RSI);
}

TEST(DecoderUnit, MoffsFollowAddressSize) {
  auto r = d64({0xA1, 1, 2, 3, 4, 5, 6, 7, 8});  // mov eax, [moffs64]
  EXPECT_EQ(r.d.len, 9);
  EXPECT_EQ(r.d.imm, 0x0807060504030201ull);
  EXPECT_TRUE(r.d.mem());
  EXPECT_EQ(d64({0x67, 0xA1, 1, 2, 3, 4}).d.len, 6);
  EXPECT_EQ(d64({0x48, 0xA3, 1, 2, 3, 4, 5, 6, 7, 8}).d.len, 10);
  EXPECT_EQ(d32({0xA1, 1, 2, 3, 4}).d.len, 5);
  EXPECT_EQ(d32({0x67, 0xA0, 1, 2}).d.len, 4);
  EXPECT_EQ(d64({0x64, 0xA0, 1, 2, 3, 4, 5, 6, 7, 8}).d.seg, FS);
}

TEST(DecoderUnit, Immediates) {
  auto r = d64({0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 0x88});  // mov rax, imm64
  EXPECT_EQ(r.d.len, 10);
  EXPECT_EQ(r.d.imm, 0x8807060504030201ull);
  EXPECT_EQ(d64({0xB8, 1, 2, 3, 4}).d.len, 5);
  EXPECT_EQ(d64({0x66, 0xB8, 1, 2}).d.len, 4);
  EXPECT_EQ(d64({0x41, 0xB0, 1}).d.reg, R8);
  r = d64({0x48, 0xC7, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF});  // mov rax, -1 (imm32 sign-extended)
  EXPECT_EQ(r.d.len, 7);
  EXPECT_EQ(r.d.imm, ~0ull);
  r = d64({0x48, 0x83, 0xC0, 0x80});  // add rax, -128
  EXPECT_EQ(r.d.imm, uint64_t(-128));
  EXPECT_EQ(d64({0x66, 0x81, 0xC0, 1, 2}).d.len, 5);
  EXPECT_EQ(d64({0x66, 0x69, 0xC0, 1, 2}).d.len, 5);  // imul ax, ax, imm16
  EXPECT_EQ(d64({0x6B, 0xC0, 1}).d.len, 3);
  EXPECT_EQ(d64({0xF6, 0xC0, 1}).d.len, 3);           // test al, imm8 (F6 /0)
  EXPECT_EQ(d64({0xF6, 0xC8, 1}).d.len, 3);           // F6 /1 is an alias of TEST
  EXPECT_EQ(d64({0xF6, 0xD0}).d.len, 2);              // not al: no immediate
  EXPECT_EQ(d64({0x48, 0xF7, 0xC0, 1, 2, 3, 4}).d.len, 7);
  r = d64({0xC8, 0x10, 0x00, 0x02});  // enter 16, 2
  EXPECT_EQ(r.d.len, 4);
  EXPECT_EQ(r.d.imm, 16u);
  EXPECT_EQ(r.d.imm2, 2);
  EXPECT_EQ(d64({0xC2, 8, 0}).d.len, 3);
  r = d32({0xEA, 1, 2, 3, 4, 0x08, 0x00});  // jmp far 0008:04030201
  EXPECT_EQ(r.d.len, 7);
  EXPECT_EQ(r.d.imm, 0x04030201u);
  EXPECT_EQ(r.d.imm2, 8);
  EXPECT_EQ(d32({0x66, 0xEA, 1, 2, 8, 0}).d.len, 6);
  EXPECT_TRUE(is_ud(d64({0xEA, 1, 2, 3, 4, 8, 0}).d));  // invalid in 64-bit mode
}

TEST(DecoderUnit, StackAndBranchOperandSizes) {
  EXPECT_EQ(d64({0x50}).d.osz, 8);        // push rax: 64 by default
  EXPECT_EQ(d64({0x66, 0x50}).d.osz, 2);  // push ax
  EXPECT_EQ(d64({0x41, 0x50}).d.reg, R8);
  // 66 48 68 is PUSH imm32 (REX.W overrides 66, SDM Vol. 2A §2.2.1.2).
  auto r = d64({0x66, 0x48, 0x68, 1, 2, 3, 4});
  EXPECT_EQ(r.d.len, 7);
  EXPECT_EQ(r.d.osz, 8);
  EXPECT_EQ(d64({0x66, 0x68, 1, 2}).d.len, 4);
  // Near branches are 64-bit in 64-bit mode, and Intel ignores 66 (SDM Vol. 2A JMP/Jcc).
  r = d64({0x66, 0x0F, 0x84, 1, 2, 3, 4});
  EXPECT_EQ(r.d.len, 7);
  EXPECT_EQ(r.d.osz, 8);
  EXPECT_EQ(d32({0x66, 0x0F, 0x84, 1, 2}).d.len, 5);  // rel16 in 32-bit code
  r = d64({0xEB, 0xFE});
  EXPECT_EQ(r.d.imm, uint64_t(-2));
  EXPECT_EQ(d64({0xE8, 0, 0, 0, 0x80}).d.imm, 0xFFFFFFFF80000000ull);
}

TEST(DecoderUnit, MandatoryPrefixesSelectRows) {
  EXPECT_EQ(mn(d64({0xF3, 0x0F, 0xB8, 0xC1})), "popcnt");
  EXPECT_TRUE(is_ud(d64({0x0F, 0xB8, 0xC1, 0, 0, 0}).d));  // JMPE: IA-64 only
  EXPECT_EQ(mn(d64({0xF3, 0x0F, 0xBD, 0xC1})), "lzcnt");
  EXPECT_EQ(mn(d64({0x0F, 0xBD, 0xC1})), "bsr");
  EXPECT_EQ(mn(d64({0x66, 0x0F, 0x38, 0x82, 0x00})), "invpcid");
  EXPECT_TRUE(is_ud(d64({0x0F, 0x38, 0x82, 0x00}).d));
  EXPECT_EQ(mn(d64({0x0F, 0x01, 0xF8})), "swapgs");
  EXPECT_EQ(d64({0xF3, 0x0F, 0x1E, 0xFA}).d.len, 4);  // endbr64 is a hint NOP
  EXPECT_EQ(d64({0x0F, 0x1F, 0x44, 0x00, 0x00}).d.len, 5);
  EXPECT_EQ(d64({0x66, 0x2E, 0x0F, 0x1F, 0x84, 0, 0, 0, 0, 0}).d.len, 10);
}

TEST(DecoderUnit, ControlRegisterMovesIgnoreMod) {
  // SDM Vol. 2B MOV CRn: mod is ignored, r/m is always a register.
  auto r = d64({0x0F, 0x20, 0x18});  // mov rax, cr3 encoded with mod=00
  EXPECT_EQ(r.d.len, 3);
  EXPECT_FALSE(r.d.mem());
  EXPECT_EQ(r.d.reg, 3);
  EXPECT_EQ(r.d.rm, RAX);
  EXPECT_EQ(d64({0x0F, 0x22, 0x5C}).d.len, 3);  // would be a SIB+disp8 form elsewhere
  EXPECT_EQ(d32({0x0F, 0x23, 0x85}).d.len, 3);
}

TEST(DecoderUnit, LockIsLegalOnlyOnLockableMemoryForms) {
  EXPECT_FALSE(is_ud(d64({0xF0, 0x01, 0x00}).d));        // lock add [rax], eax
  EXPECT_TRUE(is_ud(d64({0xF0, 0x01, 0xC0}).d));         // lock add eax, eax
  EXPECT_TRUE(is_ud(d64({0xF0, 0x03, 0x00}).d));         // lock add eax, [rax]: destination is a register
  EXPECT_FALSE(is_ud(d64({0xF0, 0x83, 0x30, 1}).d));     // lock xor [rax], 1
  EXPECT_TRUE(is_ud(d64({0xF0, 0x83, 0x38, 1}).d));      // lock cmp [rax], 1
  EXPECT_TRUE(is_ud(d64({0xF0, 0x39, 0x00}).d));         // lock cmp [rax], eax
  EXPECT_TRUE(is_ud(d64({0xF0, 0x89, 0x00}).d));         // lock mov
  EXPECT_FALSE(is_ud(d64({0xF0, 0x0F, 0xC7, 0x08}).d));  // lock cmpxchg8b [rax]
  EXPECT_FALSE(is_ud(d64({0xF0, 0x0F, 0xBA, 0x28, 3}).d));  // lock bts [rax], 3
  EXPECT_TRUE(is_ud(d64({0xF0, 0x0F, 0xBA, 0x20, 3}).d));   // lock bt [rax], 3
  EXPECT_FALSE(is_ud(d64({0xF0, 0x87, 0x00}).d));        // lock xchg [rax], eax
  EXPECT_TRUE(is_ud(d64({0xF0, 0x90}).d));
}

// IF_PURE lets the run loop skip the per-instruction count, RIP and attention
// bookkeeping (decoded.h), so it must never mark an instruction that touches
// memory, writes RIP, can fault, or is LOCK-prefixed (#UD); the hot register
// forms of the integer loops must carry it.
TEST(DecoderUnit, PureOnlyForRegisterAndFlagForms) {
  auto pure = [](std::initializer_list<uint8_t> b) {
    const Decoded r = d64(b);
    EXPECT_EQ(r.st, DecodeStatus::Ok);
    return (r.d.flags & IF_PURE) != 0;
  };
  EXPECT_TRUE(pure({0x48, 0x01, 0xD8}));                                // add rax, rbx
  EXPECT_TRUE(pure({0x31, 0xC0}));                                      // xor eax, eax
  EXPECT_TRUE(pure({0x48, 0x83, 0xF8, 0x05}));                          // cmp rax, 5
  EXPECT_TRUE(pure({0x48, 0x85, 0xD8}));                                // test rax, rbx
  EXPECT_TRUE(pure({0x48, 0xC1, 0xC2, 0x0D}));                          // rol rdx, 13
  EXPECT_TRUE(pure({0x48, 0xFF, 0xCF}));                                // dec rdi
  EXPECT_TRUE(pure({0x49, 0x89, 0xC0}));                                // mov r8, rax
  EXPECT_TRUE(pure({0x48, 0x8D, 0x84, 0x50, 0x37, 0x9E, 0x00, 0x00}));  // lea rax, [rax+rdx*2+0x9e37]
  EXPECT_TRUE(pure({0xB8, 0x01, 0x00, 0x00, 0x00}));                    // mov eax, 1
  EXPECT_TRUE(pure({0x0F, 0xB6, 0xC3}));                                // movzx eax, bl
  EXPECT_TRUE(pure({0x48, 0x0F, 0x44, 0xC3}));                          // cmovz rax, rbx
  EXPECT_TRUE(pure({0x0F, 0x94, 0xC0}));                                // setz al
  EXPECT_TRUE(pure({0x48, 0x0F, 0xAF, 0xC3}));                          // imul rax, rbx
  EXPECT_TRUE(pure({0x48, 0xD3, 0xE0}));                                // shl rax, cl
  EXPECT_TRUE(pure({0x48, 0x87, 0xD8}));                                // xchg rax, rbx
  EXPECT_TRUE(pure({0x0F, 0x1F, 0x44, 0x00, 0x00}));                    // nop dword [rax+rax] (no access)
  EXPECT_FALSE(pure({0x48, 0x01, 0x18}));                               // add [rax], rbx
  EXPECT_FALSE(pure({0x48, 0x8B, 0x03}));                               // mov rax, [rbx]
  EXPECT_FALSE(pure({0x48, 0x89, 0x03}));                               // mov [rbx], rax
  EXPECT_FALSE(pure({0x48, 0x8D, 0x05, 0x00, 0x00, 0x00, 0x00}));       // lea rax, [rip] reads RIP
  EXPECT_FALSE(pure({0x75, 0x00}));                                     // jnz
  EXPECT_FALSE(pure({0xF0, 0x48, 0x01, 0xD8}));                         // lock add rax, rbx: #UD
  EXPECT_FALSE(pure({0x48, 0xF7, 0xF3}));                               // div rbx: #DE
  EXPECT_FALSE(pure({0x50}));                                           // push rax
  EXPECT_FALSE(pure({0x0F, 0x31}));                                     // rdtsc reads the count
  EXPECT_FALSE(pure({0x0F, 0xB6, 0x03}));                               // movzx eax, byte [rbx]
  EXPECT_FALSE(pure({0x48, 0x0F, 0x44, 0x03}));                         // cmovz rax, [rbx] reads always
  EXPECT_FALSE(pure({0x0F, 0x94, 0x03}));                               // setz [rbx]
  EXPECT_FALSE(pure({0x48, 0x87, 0x03}));                               // xchg [rbx], rax
  EXPECT_FALSE(pure({0x48, 0xF7, 0xE3}));                               // mul rbx (group 3 beside DIV)
  EXPECT_FALSE(pure({0x9D}));                                           // popf may set TF/AC
  EXPECT_FALSE(pure({0xF0, 0x48, 0x87, 0xD8}));                         // lock xchg rax, rbx: #UD
}

TEST(DecoderUnit, FifteenByteLimit) {
  // 14 prefixes + NOP = 15 bytes: legal.
  auto r = d64({0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90});
  ASSERT_EQ(r.st, DecodeStatus::Ok);
  EXPECT_EQ(r.d.len, 15);
  // 15 prefixes: the 16th byte would be needed -> #GP(0) (SDM Vol. 2A §2.3.11).
  r = d64({0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90});
  EXPECT_EQ(r.st, DecodeStatus::TooLong);
  EXPECT_LE(r.max_fetched, 15u);
  // 3 prefixes + mov qword [rax+rcx*4+disp32], imm32 (12 bytes) = 15: legal; 4 prefixes: too long.
  r = d64({0x2E, 0x2E, 0x2E, 0x48, 0xC7, 0x84, 0x88, 1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(r.st, DecodeStatus::Ok);
  EXPECT_EQ(r.d.len, 15);
  r = d64({0x2E, 0x2E, 0x2E, 0x2E, 0x48, 0xC7, 0x84, 0x88, 1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(r.st, DecodeStatus::TooLong);
  EXPECT_LE(r.max_fetched, 15u);
}

TEST(DecoderUnit, FetchesOnlyTheInstructionsBytes) {
  // A fetch past the instruction could fault on the next page: never ask for it.
  for (auto bytes : {std::vector<uint8_t>{0x90}, {0x48, 0xB8, 1, 2, 3, 4, 5, 6, 7, 8}, {0x0F, 0x05},
                     {0x8B, 0x04, 0x24}, {0xC3}, {0xF3, 0xA4}}) {
    std::vector<uint8_t> b = bytes;
    b.resize(32, 0x66);
    unsigned hi = 0;
    Insn d;
    ASSERT_EQ(decode(CodeSize::Bits64, [&](unsigned i) { hi = std::max(hi, i + 1); return b[i]; }, d),
              DecodeStatus::Ok);
    EXPECT_EQ(d.len, bytes.size());
    EXPECT_EQ(hi, bytes.size());
  }
}

TEST(DecoderUnit, UnsupportedEncodingsAreUd) {
  EXPECT_TRUE(is_ud(d64({0xC5, 0xF8, 0x77}).d));  // VEX (vzeroupper) in 64-bit mode
  EXPECT_TRUE(is_ud(d64({0x0F, 0x0B}).d));        // ud2
  EXPECT_EQ(d64({0x0F, 0x0B}).d.len, 2);
  EXPECT_TRUE(is_ud(d64({0x27}).d));              // daa: invalid in 64-bit mode
  EXPECT_TRUE(is_ud(d64({0x0F, 0x0F, 0xC0, 0x9E}).d));  // 3DNow
  EXPECT_TRUE(is_ud(d32({0xC5, 0xF8, 0x77}).d));  // 32-bit: C5 with mod=11 is VEX, not LDS
  EXPECT_EQ(mn(d32({0xC5, 0x06})), "lds");        // ... with a memory operand it is LDS
  EXPECT_EQ(d32({0xC5, 0x06}).d.len, 2);
  EXPECT_FALSE(is_ud(d32({0x40}).d));             // inc eax in 32-bit code
  EXPECT_EQ(mn(d32({0x40})), "inc");
}

// In 64-bit mode C4, C5 and 62 are always VEX/EVEX: #UD here, decided before
// a ModRM is read. Read as LDS's ModRM (B5: mod 10, a disp32), the bytes
// after ten prefixes ran past 15 and gave #GP for what Capstone and Zydis
// decode as a 14-byte vpsubq ymm7, ymm9, ymm3 (found by the decoder fuzzer).
TEST(DecoderUnit, VexAndEvexIn64BitModeAreUdNotTooLong) {
  for (uint8_t op : {uint8_t(0xC4), uint8_t(0xC5), uint8_t(0x62)}) {
    const Decoded r =
        d64({0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, op, 0xB5, 0xFB, 0xFB, 0xFB});
    ASSERT_EQ(r.st, DecodeStatus::Ok) << int(op);
    EXPECT_TRUE(is_ud(r.d)) << int(op);
    EXPECT_LE(r.max_fetched, 15u) << int(op);
  }
  EXPECT_TRUE(is_ud(d64({0x62, 0xF1, 0x7C, 0x48, 0x28, 0xC1}).d));  // EVEX vmovaps zmm0, zmm1
}

}  // namespace
}  // namespace slot::cputest
