#include "cpu/table.h"

namespace slot::cpu {

#define ROW(map, opc, ext, pfx, sub, h, imm, size, attrs, mn) \
  {map, opc, ext, pfx, sub, imm, size, attrs, #mn, {&h<1>, &h<2>, &h<4>, &h<8>}},
const Row kRows[] = {
#include "cpu/opcodes.def"
};
#undef ROW
const unsigned kRowCount = sizeof(kRows) / sizeof(kRows[0]);

void specialise(Insn& d) {
  // Every ALU and shift variant is a register form; of the MOV family's, the
  // register forms and LEA (an address computed, no memory read); a Jcc writes RIP.
  const bool is_lea = d.fn == &lea<8> || d.fn == &lea<4>;
  Handler h = specialise_alu(d);
  if (!h) h = specialise_shift(d);
  bool pure = h != nullptr;
  if (!h && (h = specialise_jcc(d))) pure = false;
  if (!h && (h = specialise_mov(d))) pure = !d.mem() || is_lea;
  if (!h) return;
  d.fn = h;
  if (pure) d.flags |= IF_PURE;
}

}  // namespace slot::cpu
