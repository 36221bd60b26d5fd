// CPUID advertises exactly what the interpreter and MMU implement. The
// feature bits are one table (kFeatures): CPUID builds its registers from it,
// and a test checks each advertised feature against what the CPU does.
#pragma once
#include <cstdint>

namespace slot::cpu {

struct CpuidResult { uint32_t eax, ebx, ecx, edx; };
CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf);
inline constexpr unsigned kPhysAddrBits = 40;  // MAXPHYADDR reported in leaf 0x80000008

enum class CpuidReg : uint8_t { Eax, Ebx, Ecx, Edx };
struct CpuidFeature {
  const char* name;       // as the SDM's CPUID tables name it
  uint32_t leaf;          // subleaf 0 where the leaf has subleaves
  CpuidReg reg;
  unsigned bit;
};
// SDM Vol. 2A, CPUID: Table 3-10 (leaf 1 ECX), 3-11 (leaf 1 EDX), 3-8 (leaves 6,
// 7, 80000001H, 80000007H).
inline constexpr CpuidFeature kFeatures[] = {
    {"CX16", 1, CpuidReg::Ecx, 13},        {"PCID", 1, CpuidReg::Ecx, 17},
    {"POPCNT", 1, CpuidReg::Ecx, 23},      {"PSE", 1, CpuidReg::Edx, 3},
    {"TSC", 1, CpuidReg::Edx, 4},          {"MSR", 1, CpuidReg::Edx, 5},
    {"PAE", 1, CpuidReg::Edx, 6},          {"CX8", 1, CpuidReg::Edx, 8},
    {"APIC", 1, CpuidReg::Edx, 9},         {"x2APIC", 1, CpuidReg::Ecx, 21},
    {"TSC-Deadline", 1, CpuidReg::Ecx, 24}, {"SEP", 1, CpuidReg::Edx, 11},
    {"UMIP", 7, CpuidReg::Ecx, 2},         {"ARAT", 6, CpuidReg::Eax, 2},
    {"PKU", 7, CpuidReg::Ecx, 3},          {"PKS", 7, CpuidReg::Ecx, 31},
    {"InvariantTSC", 0x80000007, CpuidReg::Edx, 8},
    {"PGE", 1, CpuidReg::Edx, 13},         {"CMOV", 1, CpuidReg::Edx, 15},
    {"PAT", 1, CpuidReg::Edx, 16},         {"CLFSH", 1, CpuidReg::Edx, 19},
    {"TSC_ADJUST", 7, CpuidReg::Ebx, 1},   {"MTRR", 1, CpuidReg::Edx, 12},
    {"SMEP", 7, CpuidReg::Ebx, 7},         {"INVPCID", 7, CpuidReg::Ebx, 10},
    {"SMAP", 7, CpuidReg::Ebx, 20},        {"LAHF-SAHF", 0x80000001, CpuidReg::Ecx, 0},
    {"LZCNT", 0x80000001, CpuidReg::Ecx, 5}, {"SYSCALL", 0x80000001, CpuidReg::Edx, 11},
    {"NX", 0x80000001, CpuidReg::Edx, 20}, {"Page1GB", 0x80000001, CpuidReg::Edx, 26},
    {"RDTSCP", 0x80000001, CpuidReg::Edx, 27}, {"LM", 0x80000001, CpuidReg::Edx, 29},
};

}  // namespace slot::cpu
