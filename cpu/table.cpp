#include <initializer_list>

#include "cpu/table.h"

namespace slot::cpu {

#define ROW(map, opc, ext, pfx, sub, h, imm, size, attrs, mn) \
  {map, opc, ext, pfx, sub, imm, size, attrs, #mn, {&h<1>, &h<2>, &h<4>, &h<8>}},
const Row kRows[] = {
#include "cpu/opcodes.def"
};
#undef ROW
const unsigned kRowCount = sizeof(kRows) / sizeof(kRows[0]);

Handler specialise(const Insn& d) {
  for (Handler (*f)(const Insn&) : {specialise_alu, specialise_shift, specialise_jcc, specialise_mov})
    if (Handler h = f(d)) return h;
  return d.fn;
}

}  // namespace slot::cpu
