#include "cpu/cpuid.h"

namespace slot::cpu {

CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf) {
  switch (leaf) {
    case 0:  // max basic leaf, "GenuineIntel" (we implement Intel semantics, e.g. SYSRET #GP)
      return {7, 0x756E6547, 0x6C65746E, 0x49656E69};
    case 1: {
      const uint32_t ecx = (1u << 13) | (1u << 17) | (1u << 23);  // CX16, PCID, POPCNT
      const uint32_t edx = (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 13) |
                           (1u << 15) | (1u << 16) | (1u << 19);  // PSE TSC MSR PAE CX8 PGE CMOV PAT CLFSH
      return {0x000506E3, 0x00010800, ecx, edx};
    }
    case 7:
      if (subleaf != 0) return {0, 0, 0, 0};
      return {0, (1u << 7) | (1u << 10) | (1u << 20), 0, 0};  // SMEP, INVPCID, SMAP
    case 0x80000000: return {0x80000008, 0, 0, 0};
    case 0x80000001: {
      const uint32_t ecx = (1u << 0) | (1u << 5);  // LAHF/SAHF in 64-bit mode, LZCNT
      const uint32_t edx = (1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29);  // SYSCALL NX 1G RDTSCP LM
      return {0, 0, ecx, edx};
    }
    case 0x80000002: return {0x746F6C53, 0x2062614C, 0x2D363878, 0x00003436};  // "SlotLab x86-64"
    case 0x80000008: return {kPhysAddrBits | (48u << 8), 0, 0, 0};
    default: return {0, 0, 0, 0};
  }
}

}  // namespace slot::cpu
