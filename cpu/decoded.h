// The decoded form of one instruction: what the decoder produces once per
// physical address and the interpreter reads every time the instruction runs.
// The handler is chosen at decode time (by opcode row and operand width), so
// execution is one indirect call with no further decoding.
#pragma once
#include <cstdint>

namespace slot::cpu {

class Cpu;
struct Insn;
using Handler = void (*)(Cpu&, const Insn&);
// A pure instruction's handler in chaining form (exec/common.h chain_step):
// runs `d`, then -- as a tail call -- the instruction linked after it if that
// one chains too, while `more` (how many more it may run) lasts; returns the
// last one run and what was left of `more`. A 64-bit Jcc chains as well
// (exec/control.cpp) but never ends a chain as the last one run: where it
// cannot go on, it returns the impure instruction it picked, or itself with
// its share of `more` given back -- not run, either way. A load or store
// chains too (exec/mov.cpp) and, if it ends the chain, returns itself run,
// with kChainRan set in `more`: after a slow half it always ends it, since
// that may have raised attention. So `last` is the last instruction run if it
// is pure or kChainRan is set, else the next one to run.
struct ChainEnd {
  const Insn* last;
  uint64_t more;
};
inline constexpr uint64_t kChainRan = 1ull << 63;
using Chain = ChainEnd (*)(Cpu&, const Insn* d, uint64_t more);
// What Insn::next names until a run has linked the instruction: no flags (so
// no stretch runs into it) and no handler (cpu/cpu.cpp).
extern const Insn kUnlinked;

inline constexpr uint8_t NO_REG = 0xFF;
inline constexpr uint8_t RIP_REG = 16;

enum InsnFlag : uint8_t {
  IF_MEM = 1 << 0,    // ModRM names memory (else register rm)
  IF_REX = 1 << 1,    // a REX prefix was present (byte regs 4-7 are SPL..DIL)
  IF_LOCK = 1 << 2,
  IF_REP = 1 << 3,    // F3
  IF_REPNE = 1 << 4,  // F2
  IF_SEGOVR = 1 << 5, // explicit segment override
  // The handler touches only general registers and the flags: no memory, no
  // RIP, no fault, nothing that raises attention or reads the count (the
  // register forms of the integer families -- cpu/table.cpp lists them --,
  // LEA and the hint NOPs). Cpu::run_page runs a stretch of these without
  // per-instruction bookkeeping.
  IF_PURE = 1 << 6,
  // An instruction with a chaining form (Insn::chain: some pure forms, the
  // 64-bit Jcc, some loads and stores): run_stretch starts a chain where a
  // pure one has another after it.
  IF_CHAIN = 1 << 7,
};

struct Insn {
  Handler fn;
  // For the hot pure forms (set by specialise(), with IF_PURE), the 64-bit
  // Jcc and the specialised MOV loads and stores, the same instruction in
  // chaining form; else null.
  Chain chain = nullptr;
  uint64_t imm;      // immediate, moffs, or branch displacement (sign-extended)
  int32_t disp;      // memory displacement (sign-extended from disp8/16/32)
  uint16_t imm2;     // second immediate: ENTER's level, far pointer selector
  uint16_t row;      // index of the opcode-table row (mnemonic, attributes)
  uint8_t len;       // 1..15
  uint8_t osz;       // operand size in bytes: 1, 2, 4, 8
  uint8_t asz;       // address size in bytes: 2, 4, 8
  uint8_t reg;       // ModRM.reg + REX.R, or the register encoded in the opcode
  uint8_t rm;        // ModRM.rm + REX.B (register form)
  uint8_t base;      // memory base register, RIP_REG, or NO_REG
  uint8_t index;     // memory index register or NO_REG
  uint8_t scale;     // index shift 0..3
  uint8_t seg;       // effective segment (SegReg)
  uint8_t flags;     // InsnFlag
  uint8_t op;        // sub-operation: ALU op, condition code, group extension
  uint8_t modrm;     // raw ModRM byte (0 if none)
  uint16_t off;      // offset in its code page (set when stored in one)
  // The instruction that follows this one on the same code page, once a run
  // has gone from one to the other (Cpu::run_page), else kUnlinked: a
  // straight-line run then needs no page-offset lookup. Both live in one
  // CodePage; a store over the target cuts the link (Cpu::invalidate_code).
  mutable const Insn* next = &kUnlinked;
  // Where the instruction last sent RIP elsewhere on its own page (a jump
  // taken, a call or return within the page), once a run has gone there, else
  // kUnlinked: `next` for the other way out.
  mutable const Insn* taken = &kUnlinked;
  bool mem() const { return flags & IF_MEM; }
};
static_assert(sizeof(Insn) <= 64, "decoded form must stay small (docs/ARCHITECTURE.md)");

}  // namespace slot::cpu
