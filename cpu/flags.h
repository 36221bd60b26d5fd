// Lazy arithmetic flags (docs/ARCHITECTURE.md: flags live in one module).
// The common flag writers (add/sub/adc/sbb/logic/inc/dec and their cmp/test
// forms) record their operands and result; the six status flags are computed
// only when someone reads them. Everything else writes RFLAGS eagerly after
// materialize(). SDM Vol. 1 §3.4.3.1 and Appendix A give the definitions.
#pragma once
#include <cstdint>

#include "mmu/arch.h"

namespace slot::cpu {

enum FlagOp : uint8_t { FO_NONE, FO_ADD, FO_ADC, FO_SUB, FO_SBB, FO_LOGIC, FO_INC, FO_DEC };

inline constexpr uint64_t kStatusFlags =
    x86::FL_CF | x86::FL_PF | x86::FL_AF | x86::FL_ZF | x86::FL_SF | x86::FL_OF;

template <unsigned W> constexpr uint64_t mask() { return W == 8 ? ~0ull : (1ull << (8 * W)) - 1; }
template <unsigned W> constexpr uint64_t sign() { return 1ull << (8 * W - 1); }

inline bool parity(uint64_t v) { return !__builtin_parity(unsigned(v & 0xFF)); }

struct LazyFlags {
  uint64_t res = 0, a = 0, b = 0;  // result and operands, already masked to width
  uint8_t op = FO_NONE;
  uint8_t w = 1;                   // width in bytes
  uint8_t cin = 0;                 // carry in (ADC/SBB) or preserved CF (INC/DEC)
  // Set by shifts and rotates, which decide CF and OF themselves: kCfOfSet |
  // CF (bit 0) | OF (bit 1), overriding what `op` would give. Rotates keep
  // the other four flags of the operation before them, still lazy.
  uint8_t cfof = 0;
  static constexpr uint8_t kCfOfSet = 0x80;

  uint64_t m() const { return w == 8 ? ~0ull : (1ull << (8 * w)) - 1; }
  uint64_t sb() const { return 1ull << (8 * w - 1); }

  bool cf() const {
    if (cfof) return cfof & 1;
    switch (op) {
      case FO_ADD: return res < a;
      case FO_ADC: return res < a || (cin && res == a);
      case FO_SUB: return a < b;
      case FO_SBB: return a < b || (cin && a == b);
      case FO_INC: case FO_DEC: return cin;
      default: return false;
    }
  }
  bool zf() const { return res == 0; }
  bool sf() const { return res & sb(); }
  bool of() const {
    if (cfof) return cfof & 2;
    switch (op) {
      case FO_ADD: case FO_ADC: return ((a ^ res) & (b ^ res)) & sb();
      case FO_SUB: case FO_SBB: return ((a ^ b) & (a ^ res)) & sb();
      case FO_INC: return res == sb();
      case FO_DEC: return res == sb() - 1;
      default: return false;
    }
  }
  bool af() const { return op == FO_LOGIC ? false : ((a ^ b ^ res) & 0x10); }
  bool pf() const { return parity(res); }
  uint64_t status() const {
    return (cf() ? x86::FL_CF : 0) | (pf() ? x86::FL_PF : 0) | (af() ? x86::FL_AF : 0) |
           (zf() ? x86::FL_ZF : 0) | (sf() ? x86::FL_SF : 0) | (of() ? x86::FL_OF : 0);
  }
};

}  // namespace slot::cpu
