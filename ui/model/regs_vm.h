// Panel 3, "Registers": general registers, RFLAGS decoded bit by bit, segment
// registers with their hidden descriptor caches, control registers and EFER
// with their bits named (SDM Vol. 3A §2.5, §2.2.1). Each row knows whether it
// changed since the previous stop (blinkenlights-style highlighting).
#pragma once
#include <string>
#include <vector>

#include "cpu/state.h"

namespace slot::ui {

struct RegRow {
  std::string name;
  std::string value;
  std::string detail;   // decoded bits, or "" for plain values
  bool changed = false;
};

struct RegsView {
  std::vector<RegRow> general;   // RAX..R15, RIP
  std::vector<RegRow> flags;     // RFLAGS, then one row per named flag ("ZF", "1")
  std::vector<RegRow> segments;  // CS..GS, LDTR, TR, GDTR, IDTR
  std::vector<RegRow> control;   // CR0, CR2, CR3, CR4, CR8, EFER, CPL
};

// `prev` may be null (nothing is marked changed).
RegsView make_regs(const cpu::CpuState& now, const cpu::CpuState* prev);

std::string decode_cr0(uint64_t v);
std::string decode_cr4(uint64_t v);
std::string decode_efer(uint64_t v);
std::string decode_rflags(uint64_t v);   // "IF ZF IOPL=0"

}  // namespace slot::ui
