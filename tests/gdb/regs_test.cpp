// The register table against independent references: gdb's own amd64
// register numbering (amd64-tdep.c amd64_register_names: the first 40 remote
// registers of an amd64 target) and QEMU's gdbstub masking rules
// (target/i386/gdbstub.c x86_cpu_gdb_read_register). The description is also
// fed to the real gdb in the batch tests (gdb_batch_test.py).
#include <gtest/gtest.h>

#include "emu/gdb/regs.h"
#include "mmu/arch.h"

namespace slot::gdb {
namespace {

cpu::CpuState long_mode_state() {
  cpu::CpuState s;
  s.efer = x86::EFER_LME | x86::EFER_LMA;
  s.seg[cpu::CS].attr = 0x29B;  // L=1
  for (unsigned i = 0; i < 16; ++i) s.gpr[i] = 0x1111111100000000ull * (i + 1) + i;
  s.rip = 0xffffffff80104230ull;
  s.rflags = 0x246;
  return s;
}

TEST(GdbRegs, CoreOrderIsGdbsAmd64Numbering) {
  const char* amd64[] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
                         "r13", "r14", "r15", "rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs", "st0", "st1",
                         "st2", "st3", "st4", "st5", "st6", "st7", "fctrl", "fstat", "ftag", "fiseg", "fioff",
                         "foseg", "fooff", "fop"};
  const unsigned bits[] = {64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 32, 32, 32,
                           32, 32, 32, 32, 80, 80, 80, 80, 80, 80, 80, 80, 32, 32, 32, 32, 32, 32, 32, 32};
  ASSERT_GE(reg_count(), 40u);
  for (size_t i = 0; i < 40; ++i) {
    EXPECT_STREQ(reg_info(i).name, amd64[i]) << i;
    EXPECT_EQ(reg_info(i).bits, bits[i]) << amd64[i];
  }
}

TEST(GdbRegs, SystemRegistersAreDescribed) {
  for (const char* n : {"fs_base", "gs_base", "cs_base", "ss_base", "ds_base", "es_base", "cr0", "cr2", "cr3", "cr4",
                        "cr8", "efer", "k_gs_base"})
    EXPECT_TRUE(reg_number(n).has_value()) << n;
}

TEST(GdbRegs, GPacketEncodesLittleEndianInTableOrder) {
  const cpu::CpuState s = long_mode_state();
  const std::string g = encode_regs(s);
  EXPECT_EQ(g.size(), regs_bytes() * 2);
  // rax = 0x1111111100000000 (gpr[RAX] = index 0): bytes 00 00 00 00 11 11 11 11.
  EXPECT_EQ(g.substr(0, 16), "0000000011111111");
  // rbx is the second register but cpu::RBX = 3: 4 * 0x1111111100000000 + 3.
  EXPECT_EQ(g.substr(16, 16), "0300000044444444");
  EXPECT_EQ(encode_reg(s, 16), "30421080ffffffff");  // rip
  EXPECT_EQ(encode_reg(s, 17), "46020000");          // eflags, 32 bits
}

TEST(GdbRegs, OutsideLongModeLikeQemu) {
  // QEMU: !HF_CS64 -> eax..edi zero-extended to 64 bits, r8-r15 read as 0, rip masked.
  cpu::CpuState s = long_mode_state();
  s.efer = 0;
  s.seg[cpu::CS].attr = 0x49B;  // D=1, 32-bit protected mode
  EXPECT_FALSE(code64(s));
  EXPECT_EQ(encode_reg(s, 0), "0000000000000000");  // rax low half is 0
  EXPECT_EQ(encode_reg(s, 1), "0300000000000000");  // rbx = 3
  EXPECT_EQ(encode_reg(s, 8), "0000000000000000");  // r8
  EXPECT_EQ(encode_reg(s, 16), "3042108000000000");
  // Compatibility mode (LMA=1, CS.L=0) is masked too.
  s.efer = x86::EFER_LMA | x86::EFER_LME;
  EXPECT_FALSE(code64(s));
  EXPECT_EQ(encode_reg(s, 8), "0000000000000000");
}

TEST(GdbRegs, WritesChangeOnlyWritableRegisters) {
  cpu::CpuState s = long_mode_state();
  EXPECT_TRUE(decode_reg(s, 0, "efcdab8967452301"));
  EXPECT_EQ(s.gpr[cpu::RAX], 0x0123456789abcdefull);
  EXPECT_TRUE(decode_reg(s, *reg_number("fs_base"), "0010000000000000"));
  EXPECT_EQ(s.seg[cpu::FS].base, 0x1000u);
  // Selectors, cr0/cr3/cr4/efer would need descriptor or MMU reloads: refused...
  EXPECT_FALSE(decode_reg(s, *reg_number("cs"), "10000000"));
  EXPECT_FALSE(decode_reg(s, *reg_number("cr3"), "0010000000000000"));
  // ... but writing back the value they have is fine (gdb's G sends every register).
  EXPECT_TRUE(decode_reg(s, *reg_number("cr3"), encode_reg(s, *reg_number("cr3"))));
  EXPECT_FALSE(decode_reg(s, 0, "0011"));       // wrong size
  EXPECT_FALSE(decode_reg(s, 0, "zz00000000000000"));
  EXPECT_FALSE(decode_reg(s, reg_count(), "00"));
}

TEST(GdbRegs, EflagsReservedBitsStayArchitectural) {
  cpu::CpuState s = long_mode_state();
  ASSERT_TRUE(decode_reg(s, 17, "00000000"));
  EXPECT_EQ(s.rflags, 2u);  // bit 1 is always 1 (SDM Vol. 1 §3.4.3)
}

TEST(GdbRegs, WriteIn32BitModeKeepsUpperHalves) {
  cpu::CpuState s = long_mode_state();
  s.efer = 0;
  s.seg[cpu::CS].attr = 0x49B;
  const uint64_t before = s.gpr[cpu::RBX];
  ASSERT_TRUE(decode_reg(s, 1, "7856341200000000"));
  EXPECT_EQ(s.gpr[cpu::RBX], (before & ~0xFFFFFFFFull) | 0x12345678u);
}

TEST(GdbRegs, GRoundTripChangesNothingAndShortGIsRefused) {
  cpu::CpuState s = long_mode_state();
  const cpu::CpuState before = s;
  ASSERT_TRUE(decode_regs(s, encode_regs(s)));
  EXPECT_EQ(encode_regs(s), encode_regs(before));
  EXPECT_FALSE(decode_regs(s, encode_regs(s).substr(0, 20)));  // cuts a register in half
  std::string g = encode_regs(s);
  g.replace(g.size() - 2, 2, "zz");
  EXPECT_FALSE(decode_regs(s, g));
}

TEST(GdbRegs, DescriptionNumbersEveryRegisterOnce) {
  const auto xml = target_description("target.xml");
  ASSERT_TRUE(xml.has_value());
  EXPECT_FALSE(target_description("other.xml").has_value());
  EXPECT_NE(xml->find("<architecture>i386:x86-64</architecture>"), std::string::npos);
  for (const char* f : {"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.segments", "org.slotlab.x86.system"})
    EXPECT_NE(xml->find(std::string("<feature name=\"") + f + "\">"), std::string::npos) << f;
  // Each <reg .../> element in document order: name, bitsize and regnum attributes.
  auto attr = [](const std::string& el, const std::string& key) {
    const size_t at = el.find(" " + key + "=\"");
    if (at == std::string::npos) return std::string();
    const size_t from = at + key.size() + 3;
    return el.substr(from, el.find('"', from) - from);
  };
  size_t n = 0;
  for (size_t at = xml->find("<reg "); at != std::string::npos; at = xml->find("<reg ", at + 1), ++n) {
    const std::string el = xml->substr(at, xml->find("/>", at) - at);
    ASSERT_LT(n, reg_count());
    EXPECT_EQ(attr(el, "regnum"), std::to_string(n));
    EXPECT_EQ(attr(el, "name"), reg_info(n).name);
    EXPECT_EQ(attr(el, "bitsize"), std::to_string(reg_info(n).bits));
  }
  EXPECT_EQ(n, reg_count());
}

}  // namespace
}  // namespace slot::gdb
