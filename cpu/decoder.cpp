#include "cpu/decoder.h"

#include <vector>

namespace slot::cpu {
namespace {

struct Index {
  std::vector<uint16_t> rows[5][256];
  bool modrm[5][256] = {};
  Index() {
    for (unsigned k = 0; k < kRowCount; ++k) {
      const Row& r = kRows[k];
      rows[r.map][r.opcode].push_back(uint16_t(k));
      if (r.attrs & A_M) modrm[r.map][r.opcode] = true;
    }
  }
};

const Index& index() {
  static const Index idx;
  return idx;
}

}  // namespace

namespace detail {
Candidates candidates(unsigned map, uint8_t opcode) {
  const Index& x = index();
  const auto& v = x.rows[map][opcode];
  return {v.data(), uint8_t(v.size()), x.modrm[map][opcode]};
}
}  // namespace detail

const char* mnemonic(const Insn& insn) {
  return insn.row == kNoRow ? "(bad)" : kRows[insn.row].mnemonic;
}

}  // namespace slot::cpu
