// CPUID advertises exactly what the interpreter and MMU implement.
#pragma once
#include <cstdint>

namespace slot::cpu {
struct CpuidResult { uint32_t eax, ebx, ecx, edx; };
CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf);
inline constexpr unsigned kPhysAddrBits = 40;  // MAXPHYADDR reported in leaf 0x80000008
}  // namespace slot::cpu
