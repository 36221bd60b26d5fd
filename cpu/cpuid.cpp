#include "cpu/cpuid.h"

namespace slot::cpu {

namespace {
// The feature bits of one leaf, from the table.
CpuidResult features(uint32_t leaf) {
  CpuidResult r{0, 0, 0, 0};
  for (const CpuidFeature& f : kFeatures) {
    if (f.leaf != leaf) continue;
    uint32_t* reg[] = {&r.eax, &r.ebx, &r.ecx, &r.edx};
    *reg[unsigned(f.reg)] |= 1u << f.bit;
  }
  return r;
}
}  // namespace

CpuidResult cpuid_leaf(uint32_t leaf, uint32_t subleaf) {
  switch (leaf) {
    case 0:  // max basic leaf, "GenuineIntel" (we implement Intel semantics, e.g. SYSRET #GP)
      return {7, 0x756E6547, 0x6C65746E, 0x49656E69};
    case 1: {
      CpuidResult r = features(1);
      r.eax = 0x000506E3;  // family 6 model 0x5E stepping 3 (a Skylake client signature)
      r.ebx = 0x00010800;  // CLFLUSH line size 8 x 8 bytes, one logical processor
      return r;
    }
    case 7:
      return subleaf == 0 ? features(7) : CpuidResult{0, 0, 0, 0};
    case 0x80000000: return {0x80000008, 0, 0, 0};
    case 0x80000001: return features(0x80000001);
    case 0x80000002: return {0x746F6C53, 0x2062614C, 0x2D363878, 0x00003436};  // "SlotLab x86-64"
    case 0x80000008: return {kPhysAddrBits | (48u << 8), 0, 0, 0};
    default: return {0, 0, 0, 0};
  }
}

}  // namespace slot::cpu
