// Every feature CPUID advertises is implemented (cpu/cpuid.h kFeatures): for
// each row a probe uses the feature at CPL 0 in 64-bit mode and must run
// without an exception, and the CPUID instruction itself must report the bit
// where the SDM puts it (Vol. 2A, CPUID, Tables 3-8, 3-10, 3-11). A feature
// added to the table without a probe fails the test, so CPUID cannot promise
// more than the interpreter does.
#include <map>
#include <string>

#include "cpu/cpuid.h"
#include "tests/cpu/unit_common.h"

namespace slot::cputest {
namespace {
using namespace cpu;

// mov rbx, kData; <body>; jmp $
std::vector<uint8_t> with_rbx(uint32_t data, const std::vector<uint8_t>& body) {
  std::vector<uint8_t> c = {0x48, 0xc7, 0xc3};
  for (int i = 0; i < 4; ++i) c.push_back(uint8_t(data >> (8 * i)));
  for (uint8_t b : body) c.push_back(b);
  c.push_back(0xeb);
  c.push_back(0xfe);
  return c;
}
// Sets CR4 bit `b` (mov rax, cr4; bts rax, b; mov cr4, rax).
std::vector<uint8_t> cr4_bit(unsigned b) { return {0x0f, 0x20, 0xe0, 0x48, 0x0f, 0xba, 0xe8, uint8_t(b), 0x0f, 0x22, 0xe0}; }
// Sets EFER bit `b` (ecx = EFER; rdmsr; bts eax, b; wrmsr).
std::vector<uint8_t> efer_bit(unsigned b) {
  return {0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32, 0x0f, 0xba, 0xe8, uint8_t(b), 0x0f, 0x30};
}

const std::map<std::string, std::vector<uint8_t>>& probes() {
  static const std::map<std::string, std::vector<uint8_t>> p = {
      {"CX16", {0x48, 0x0f, 0xc7, 0x0b}},            // cmpxchg16b [rbx]
      {"PCID", cr4_bit(17)},                          // CR4.PCIDE (CR3[11:0] = 0)
      {"POPCNT", {0xf3, 0x48, 0x0f, 0xb8, 0xc0}},    // popcnt rax, rax
      {"PSE", cr4_bit(4)},                            // CR4.PSE
      {"TSC", {0x0f, 0x31}},                          // rdtsc
      {"MSR", {0xb9, 0x80, 0x00, 0x00, 0xc0, 0x0f, 0x32}},  // rdmsr EFER
      {"PAE", cr4_bit(5)},                            // CR4.PAE (already set in IA-32e mode)
      {"CX8", {0x0f, 0xc7, 0x0b}},                    // cmpxchg8b [rbx]
      {"PGE", cr4_bit(7)},                            // CR4.PGE
      {"CMOV", {0x48, 0x0f, 0x44, 0xc0}},            // cmovz rax, rax
      {"PAT", {0xb9, 0x77, 0x02, 0x00, 0x00, 0x0f, 0x32}},  // rdmsr IA32_PAT
      {"CLFSH", {0x0f, 0xae, 0x3b}},                  // clflush [rbx]
      {"SMEP", cr4_bit(20)},
      {"INVPCID", {0xb8, 0x02, 0x00, 0x00, 0x00, 0x66, 0x0f, 0x38, 0x82, 0x03}},  // eax = 2; invpcid rax, [rbx]
      {"SMAP", cr4_bit(21)},
      {"LAHF-SAHF", {0x9f, 0x9e}},                    // lahf; sahf in 64-bit mode
      {"LZCNT", {0xf3, 0x48, 0x0f, 0xbd, 0xc0}},     // lzcnt rax, rax
      {"SYSCALL", efer_bit(0)},                       // EFER.SCE
      {"NX", efer_bit(11)},                           // EFER.NXE
      {"RDTSCP", {0x0f, 0x01, 0xf9}},
      {"TSC_ADJUST", {0xb9, 0x3b, 0x00, 0x00, 0x00, 0x0f, 0x32, 0x0f, 0x30}},  // rdmsr, wrmsr IA32_TSC_ADJUST
      {"MTRR", {0xb9, 0xff, 0x02, 0x00, 0x00, 0x0f, 0x32, 0x0f, 0x30}},        // rdmsr, wrmsr MTRR_DEF_TYPE
      {"UMIP", cr4_bit(11)},                          // CR4.UMIP
      {"PKU", cr4_bit(22)},                           // CR4.PKE (then RDPKRU/WRPKRU: SystemTest.Pkru*, tests/mmu/test_pkeys.cpp)
      {"PKS", cr4_bit(24)},                           // CR4.PKS (then IA32_PKRS: SystemTest.Pkrs*, MmuPkeys)
      {"LM", {0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8}},  // mov rax, imm64 (we run in 64-bit mode)
  };
  return p;
}
// Features whose use needs more than a few instructions, and the test that covers them.
const std::map<std::string, std::string>& covered_elsewhere() {
  static const std::map<std::string, std::string> c = {
      {"Page1GB", "tests/mmu/test_fastpath.cpp and the walker tests map and translate 1 GiB pages"},
      // The local APIC is the platform's (emu/devices/local_apic.h), not in this CPU-only fixture.
      {"APIC", "tests/boot/kernels/apic (line by line against QEMU) and tests/emu/platform_test.cpp"},
      {"x2APIC", "tests/emu/platform_test.cpp (LapicTest.X2Apic*)"},
      {"TSC-Deadline", "tests/emu/platform_test.cpp (LapicMachine.TscDeadlineTimerInTscUnits)"},
      {"SEP", "tests/cpu/unit_system_test.cpp (SystemTest.Sysenter*, SystemTest.Sysexit*)"},
      // The APIC timer and the TSC count instructions: no power state stops them.
      {"ARAT", "the APIC timer counts through HLT (tests/boot/kernels/apic, LapicTest timer tests)"},
      {"InvariantTSC", "SystemTest.RdtscCountsInstructions: the TSC is the instruction count"},
  };
  return c;
}

class Cpuid : public CpuTest, public ::testing::WithParamInterface<CpuidFeature> {};

TEST_P(Cpuid, AdvertisedFeatureHasAProbeThatRuns) {
  const CpuidFeature& f = GetParam();
  if (covered_elsewhere().count(f.name)) GTEST_SKIP() << covered_elsewhere().at(f.name);
  auto it = probes().find(f.name);
  ASSERT_NE(it, probes().end()) << "CPUID advertises " << f.name << " but no probe uses it";
  load(with_rbx(uint32_t(kData), it->second));
  run();
  EXPECT_TRUE(m.log.exceptions().empty()) << f.name << " raised vector " << int(m.log.exceptions().front());
  EXPECT_EQ(m.rd(rip()) & 0xFFFF, 0xFEEBu) << "the probe ran to its end";
}

TEST_P(Cpuid, TheInstructionReportsTheBitWhereTheSdmPutsIt) {
  const CpuidFeature& f = GetParam();
  // mov eax, leaf; xor ecx, ecx; cpuid; jmp $
  load({0xb8, uint8_t(f.leaf), uint8_t(f.leaf >> 8), uint8_t(f.leaf >> 16), uint8_t(f.leaf >> 24), 0x31, 0xc9,
        0x0f, 0xa2, 0xeb, 0xfe});
  run();
  const Reg regs[] = {RAX, RBX, RCX, RDX};
  EXPECT_TRUE((r(regs[unsigned(f.reg)]) >> f.bit) & 1) << "leaf " << std::hex << f.leaf << " bit " << std::dec << f.bit;
}

INSTANTIATE_TEST_SUITE_P(Features, Cpuid, ::testing::ValuesIn(kFeatures), [](const auto& i) {
  std::string n = i.param.name;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

// A bit no row names stays clear: leaf 1 ECX bit 28 (AVX) is not implemented.
class CpuidLeaf : public CpuTest {};
TEST_F(CpuidLeaf, UnimplementedFeatureBitIsClear) {
  load({0xb8, 1, 0, 0, 0, 0x0f, 0xa2, 0xeb, 0xfe});
  run();
  EXPECT_FALSE((r(RCX) >> 28) & 1);
}

}  // namespace
}  // namespace slot::cputest
