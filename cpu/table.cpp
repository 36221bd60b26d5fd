#include "cpu/table.h"

namespace slot::cpu {

#define ROW(map, opc, ext, pfx, sub, h, imm, size, attrs, mn) \
  {map, opc, ext, pfx, sub, imm, size, attrs, #mn, {&h<1>, &h<2>, &h<4>, &h<8>}},
const Row kRows[] = {
#include "cpu/opcodes.def"
};
#undef ROW
const unsigned kRowCount = sizeof(kRows) / sizeof(kRows[0]);

namespace {
// General handlers whose register form (no memory operand) reads and writes
// only general registers and the flags -- never RIP, CS, RFLAGS.AC/TF/IF, the
// count or memory -- and cannot fault: read_rm/write_rm/rmw take their
// register path, and none of these has a #UD or #DE of its own. (DIV/IDIV,
// MUL's group, the string, stack, port and system rows are not here.)
#define SLOT_EVERY_WIDTH(h) &h<1>, &h<2>, &h<4>, &h<8>,
const Handler kPureOnRegisters[] = {
    SLOT_EVERY_WIDTH(alu_EG) SLOT_EVERY_WIDTH(alu_GE) SLOT_EVERY_WIDTH(alu_EI) SLOT_EVERY_WIDTH(alu_AI)
    SLOT_EVERY_WIDTH(test_EG) SLOT_EVERY_WIDTH(test_EI) SLOT_EVERY_WIDTH(test_AI) SLOT_EVERY_WIDTH(not_E)
    SLOT_EVERY_WIDTH(neg_E) SLOT_EVERY_WIDTH(incdec_E) SLOT_EVERY_WIDTH(mov_EG) SLOT_EVERY_WIDTH(mov_GE)
    SLOT_EVERY_WIDTH(mov_EI) SLOT_EVERY_WIDTH(mov_RI) SLOT_EVERY_WIDTH(movzx) SLOT_EVERY_WIDTH(movsx)
    SLOT_EVERY_WIDTH(movsxd) SLOT_EVERY_WIDTH(xchg_AR) SLOT_EVERY_WIDTH(xchg_EG) SLOT_EVERY_WIDTH(cvt_a)
    SLOT_EVERY_WIDTH(cvt_d) SLOT_EVERY_WIDTH(shift_EI) SLOT_EVERY_WIDTH(shift_E1) SLOT_EVERY_WIDTH(shift_ECL)
    SLOT_EVERY_WIDTH(shld_I) SLOT_EVERY_WIDTH(shld_CL) SLOT_EVERY_WIDTH(shrd_I) SLOT_EVERY_WIDTH(shrd_CL)
    SLOT_EVERY_WIDTH(bt_EG) SLOT_EVERY_WIDTH(bt_EI) SLOT_EVERY_WIDTH(bsf) SLOT_EVERY_WIDTH(bsr)
    SLOT_EVERY_WIDTH(popcnt) SLOT_EVERY_WIDTH(lzcnt) SLOT_EVERY_WIDTH(bswap) SLOT_EVERY_WIDTH(setcc)
    SLOT_EVERY_WIDTH(cmovcc) SLOT_EVERY_WIDTH(imul_GE) SLOT_EVERY_WIDTH(imul_GEI)
    // The hint NOPs (0F 18-1F) name a memory operand but never touch it.
    SLOT_EVERY_WIDTH(nop)};
#undef SLOT_EVERY_WIDTH

bool pure_general(const Insn& d) {
  if (d.mem() && d.fn != &nop<1> && d.fn != &nop<2> && d.fn != &nop<4> && d.fn != &nop<8>) return false;
  for (Handler h : kPureOnRegisters)
    if (d.fn == h) return true;
  return false;
}
}  // namespace

void specialise(Insn& d) {
  // Every ALU and shift variant is a register form; of the MOV family's, the
  // register forms and LEA (an address computed, no memory read); a Jcc writes RIP.
  const bool is_lea = d.fn == &lea<8> || d.fn == &lea<4>;
  Spec h = specialise_alu(d);
  if (!h) h = specialise_shift(d);
  bool pure = bool(h);
  if (!h && (h = specialise_jcc(d))) pure = false;
  if (!h && (h = specialise_mov(d))) pure = !d.mem() || is_lea;
  if (!h) h = specialise_stack(d);
  if (h) d.fn = h.fn, d.chain = h.chain;  // (a Spec has a chaining form only where one may chain)
  else pure = pure_general(d);
  if (pure) d.flags |= IF_PURE;
  if (d.chain) d.flags |= IF_CHAIN;
}

}  // namespace slot::cpu
