// libFuzzer target: the instruction decoder (cpu/decoder.h) against Capstone
// for lengths. Input: byte 0 picks the code size (bit 0: 64-bit, else
// 32-bit), the rest are the instruction bytes (zero-padded to 16).
// Fails when Capstone accepts the bytes, Zydis agrees on the length (the
// two libraries disagree on a few exotic encodings; the arbiter keeps those
// from being reported as our bugs), and our decoder gives another length,
// outside the #UD classes docs/cpu.md lists ("Decoder coverage") - the same
// rule as tests/cpu/decoder_fuzz_test.cpp, here driven by coverage.
// The decoder must also never fetch past byte 14 (a 15-byte instruction).
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cpu/decoder.h"
#include "tests/cpu/disasm_oracles.h"

namespace slot::cpu {
template <unsigned W> void ud(Cpu&, const Insn&);
}

namespace {
using namespace slot;

bool is_ud_handler(cpu::Handler h) {
  return h == &cpu::ud<1> || h == &cpu::ud<2> || h == &cpu::ud<4> || h == &cpu::ud<8>;
}

bool allowed_ud(const ZydisDecodedInstruction& z, const cpu::Insn& ours) {
  switch (z.encoding) {
    case ZYDIS_INSTRUCTION_ENCODING_VEX: case ZYDIS_INSTRUCTION_ENCODING_EVEX:
    case ZYDIS_INSTRUCTION_ENCODING_MVEX: case ZYDIS_INSTRUCTION_ENCODING_XOP:
    case ZYDIS_INSTRUCTION_ENCODING_3DNOW: return true;
    default: break;
  }
  if (z.meta.isa_ext == ZYDIS_ISA_EXT_SSE4A || z.meta.isa_ext == ZYDIS_ISA_EXT_PADLOCK) return true;
  return ours.row != cpu::kNoRow && is_ud_handler(cpu::kRows[ours.row].fn[0]);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static cputest::Disassemblers dis64(true), dis32(false);
  const bool m64 = data[0] & 1;
  uint8_t b[16] = {};
  std::memcpy(b, data + 1, size - 1 < 16 ? size - 1 : 16);

  cpu::Insn d;
  const auto st = cpu::decode(m64 ? cpu::CodeSize::Bits64 : cpu::CodeSize::Bits32, [&](unsigned i) {
    if (i >= 15) { std::fprintf(stderr, "decoder fetched byte %u\n", i); std::abort(); }
    return b[i];
  }, d);
  if (st == cpu::DecodeStatus::Ok && (d.len == 0 || d.len > 15)) std::abort();

  auto& dis = m64 ? dis64 : dis32;
  const int cl = dis.capstone(b, sizeof b);
  if (cl < 0) return 0;
  ZydisDecodedInstruction zi;
  if (dis.zydis(b, sizeof b, &zi) != cl) return 0;
  if (st == cpu::DecodeStatus::Ok && d.len == cl) return 0;
  if (st == cpu::DecodeStatus::Ok && is_ud_handler(d.fn) && allowed_ud(zi, d)) return 0;
  std::fprintf(stderr, "%s-bit length mismatch: Capstone %d (%s), ours %s len %d\n", m64 ? "64" : "32", cl,
               dis.capstone_text(), st == cpu::DecodeStatus::Ok ? cpu::mnemonic(d) : "TooLong",
               st == cpu::DecodeStatus::Ok ? d.len : 0);
  std::abort();
}
