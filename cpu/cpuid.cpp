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
      return {0x1F, 0x756E6547, 0x6C65746E, 0x49656E69};
    case 1: {
      CpuidResult r = features(1);
      r.eax = 0x000506E3;  // family 6 model 0x5E stepping 3 (a Skylake client signature)
      r.ebx = 0x00010800;  // CLFLUSH line size 8 x 8 bytes, one logical processor
      return r;
    }
    case 6: return features(6);  // thermal and power: ARAT only
    case 7:
      return subleaf == 0 ? features(7) : CpuidResult{0, 0, 0, 0};
    case 0xA: return {0, 0, 0, 0};  // architectural performance monitoring: version 0, none
    case 0xB:
    case 0x1F:
      // Extended topology (SDM Vol. 2A CPUID leaf 0BH/1FH, Vol. 3A §9.9): one
      // logical processor -- an SMT level and a core level of one each, no
      // bits to shift (EAX[4:0] = 0), then the invalid level (type 0) that
      // ends the enumeration. EDX is the x2APIC ID on every subleaf.
      if (subleaf == 0) return {0, 1, 0x100, 0};
      if (subleaf == 1) return {0, 1, 0x201, 0};
      return {0, 0, subleaf & 0xFF, 0};
    case 0x80000000: return {0x80000008, 0, 0, 0};
    case 0x80000001: return features(0x80000001);
    case 0x80000002: return {0x746F6C53, 0x2062614C, 0x2D363878, 0x00003436};  // "SlotLab x86-64"
    case 0x80000007: return features(0x80000007);  // invariant TSC
    case 0x80000008: return {kPhysAddrBits | (48u << 8), 0, 0, 0};
    default: return {0, 0, 0, 0};
  }
}

}  // namespace slot::cpu
