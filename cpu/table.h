// Everything derived from opcodes.def: the row attributes, the handler
// declarations, and the per-row handler arrays (one per operand width).
#pragma once
#include <cstdint>

#include "cpu/decoded.h"
#include "cpu/state.h"

namespace slot::cpu {

enum ImmKind : uint8_t { I_NONE, I_B, I_BS, I_W, I_Z, I_V, I_MOFFS, I_ENTER, I_FAR };
enum SizeKind : uint8_t { S_B, S_V, S_D64, S_F64, S_W };
enum RowAttr : uint8_t { A_M = 1, A_LOCK = 2, A_I64 = 4, A_O64 = 8 };
enum PfxKind : uint8_t { P0, PF3, P66 };
inline constexpr int X = -1;
constexpr int MR(int modrm) { return 0x100 | modrm; }
inline constexpr uint8_t REG = 0xFF;  // sub-operation comes from ModRM.reg

// Handlers are templates on operand width in bytes (1, 2, 4, 8).
#define ROW(map, opc, ext, pfx, sub, h, imm, size, attrs, mn) \
  template <unsigned W> void h(Cpu&, const Insn&);
#include "cpu/opcodes.def"
#undef ROW

struct Row {
  uint8_t map, opcode;
  int16_t ext;
  uint8_t pfx, sub, imm, size, attrs;
  const char* mnemonic;
  Handler fn[4];  // by log2(width)
};

extern const Row kRows[];
extern const unsigned kRowCount;

// Decode-time specialisation: for a decoded instruction whose generic handler
// has a variant with its operation, width and register form fixed (the hot
// forms: ALU, INC/DEC, shifts by an immediate, Jcc, MOV, LEA), that variant; else
// d.fn. Each family file offers its own (specialise_alu, ...).
// specialise() sets d.fn, d.chain, and IF_PURE if the variant is one (decoded.h).
struct Spec {
  Handler fn = nullptr;
  // The chaining form (exec/common.h), given only for forms that may chain:
  // the pure register variants, the 64-bit Jcc, the MOV loads and stores
  // with a general base register and PUSH/POP r64; else null.
  Chain chain = nullptr;
  explicit operator bool() const { return fn != nullptr; }
};
void specialise(Insn& d);
Spec specialise_alu(const Insn& d);
Spec specialise_shift(const Insn& d);
Spec specialise_jcc(const Insn& d);
Spec specialise_mov(const Insn& d);
Spec specialise_stack(const Insn& d);

// Explicit instantiation of a handler for every width, placed in the family
// file that defines it (a missing one is a link error, not a silent gap).
#define SLOT_INSTANTIATE(h)                              \
  template void h<1>(Cpu&, const Insn&);                 \
  template void h<2>(Cpu&, const Insn&);                 \
  template void h<4>(Cpu&, const Insn&);                 \
  template void h<8>(Cpu&, const Insn&);

}  // namespace slot::cpu
