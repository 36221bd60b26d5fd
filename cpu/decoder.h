// Instruction decoder: bytes -> Insn, driven entirely by opcodes.def.
// Bytes come from a caller-supplied fetch function so that a fetch that
// crosses into an unmapped page faults exactly when a byte there is needed.
#pragma once
#include <cstdint>

#include "cpu/decoded.h"

namespace slot::cpu {

enum class CodeSize : uint8_t { Bits16, Bits32, Bits64 };

enum class DecodeStatus : uint8_t {
  Ok,       // insn is filled (possibly with the #UD handler)
  TooLong,  // more than 15 bytes: #GP(0) (SDM Vol. 2A §2.3.11)
};

// Fetch(i) returns the i-th byte of the instruction (i < 15); it may throw
// (a page fault on the fetch).
template <class Fetch>
DecodeStatus decode(CodeSize cs, Fetch&& fetch, Insn& out);

// Mnemonic of a decoded instruction's opcode row ("(bad)" for none).
const char* mnemonic(const Insn& insn);
// Row index used for instructions that match no row.
inline constexpr uint16_t kNoRow = 0xFFFF;

namespace detail {
struct Candidates { const uint16_t* rows; uint8_t count; bool modrm; };
Candidates candidates(unsigned map, uint8_t opcode);
}  // namespace detail

}  // namespace slot::cpu

#include "cpu/decoder_impl.h"
