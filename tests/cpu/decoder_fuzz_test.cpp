// Decoder lengths cross-checked against two independent disassemblers,
// Capstone and Zydis, on random byte sequences (seeded, deterministic), in
// 64-bit and 32-bit code. For every sequence both accept with the same
// length, cpu::decode must give that length too, or hand out the #UD
// handler for one of the few unsupported classes listed in docs/cpu.md
// ("Decoder coverage"), kept explicit in allowed_class() below.
// SLOTLAB_DECODER_CASES=N changes the number of sequences per mode.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cpu/decoder.h"
#include "tests/cpu/disasm_oracles.h"

namespace slot::cpu {
template <unsigned W> void ud(Cpu&, const Insn&);
}

namespace slot::cputest {
namespace {
using cpu::CodeSize;
using cpu::DecodeStatus;
using cpu::Insn;

uint64_t cases_per_mode() {
  if (const char* e = std::getenv("SLOTLAB_DECODER_CASES")) return std::strtoull(e, nullptr, 0);
  return 1000000;
}

bool is_ud_handler(cpu::Handler h) {
  return h == &cpu::ud<1> || h == &cpu::ud<2> || h == &cpu::ud<4> || h == &cpu::ud<8>;
}
bool row_is_ud(const Insn& d) { return d.row != cpu::kNoRow && is_ud_handler(cpu::kRows[d.row].fn[0]); }

// The documented classes of encodings that decode to #UD without our
// decoder knowing their length (docs/cpu.md, "Decoder coverage").
const char* allowed_class(const ZydisDecodedInstruction& z, const Insn& ours) {
  switch (z.encoding) {
    case ZYDIS_INSTRUCTION_ENCODING_VEX: return "VEX";
    case ZYDIS_INSTRUCTION_ENCODING_EVEX: return "EVEX";
    case ZYDIS_INSTRUCTION_ENCODING_MVEX: return "MVEX";
    case ZYDIS_INSTRUCTION_ENCODING_XOP: return "XOP";
    case ZYDIS_INSTRUCTION_ENCODING_3DNOW: return "3DNow";
    default: break;
  }
  // Vendor extensions outside Intel64 that no Intel CPU (and so not ours) has.
  if (z.meta.isa_ext == ZYDIS_ISA_EXT_SSE4A) return "AMD SSE4a";
  if (z.meta.isa_ext == ZYDIS_ISA_EXT_PADLOCK) return "VIA PadLock";
  if (row_is_ud(ours)) return "ud row";
  return nullptr;
}

// Random sequences: half uniform bytes, half shaped like an instruction
// (legacy prefixes, REX, escape bytes) so the 0F maps get their share.
void generate(std::mt19937_64& rng, bool m64, uint8_t* b) {
  for (unsigned k = 0; k < 16; ++k) b[k] = uint8_t(rng());
  if (rng() & 1) return;
  static constexpr uint8_t kPfx[] = {0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65};
  unsigned i = 0;
  const unsigned npfx = (rng() % 16 == 0) ? unsigned(rng() % 15) : unsigned(rng() % 4);
  for (unsigned k = 0; k < npfx && i < 15; ++k) b[i++] = kPfx[rng() % sizeof kPfx];
  if (m64 && (rng() & 1) && i < 15) b[i++] = uint8_t(0x40 | (rng() & 15));
  const unsigned esc = unsigned(rng() % 100);
  if (esc < 35 && i < 15) {
    b[i++] = 0x0F;
  } else if (esc < 60 && i < 14) {
    b[i++] = 0x0F;
    b[i++] = (esc < 47) ? 0x38 : 0x3A;
  }
}

std::string hex(const uint8_t* b, unsigned n) {
  std::string s;
  char t[4];
  for (unsigned k = 0; k < n; ++k) {
    std::snprintf(t, sizeof t, "%02x", b[k]);
    if (k) s += ' ';
    s += t;
  }
  return s;
}

void cross_check(bool m64, uint64_t seed) {
  Disassemblers dis(m64);
  std::mt19937_64 rng(seed);
  const CodeSize cs = m64 ? CodeSize::Bits64 : CodeSize::Bits32;
  const uint64_t n = cases_per_mode();
  uint64_t disagree_ours_zydis = 0, disagree_ours_capstone = 0;
  uint64_t both = 0, disagree = 0, exact = 0, ud_same = 0, fails = 0, ours_accepts_rejected = 0;
  std::map<std::string, uint64_t> allowed;
  std::map<std::string, std::string> examples;  // one per (oracle mnemonic, ours)
  uint8_t b[16];
  for (uint64_t c = 0; c < n; ++c) {
    generate(rng, m64, b);
    ZydisDecodedInstruction zi;
    const int zl = dis.zydis(b, sizeof b, &zi);
    const int cl = dis.capstone(b, sizeof b);
    Insn d;
    const DecodeStatus st = cpu::decode(cs, [&](unsigned i) { return b[i]; }, d);
    const bool ours_ud = st != DecodeStatus::Ok || is_ud_handler(d.fn);
    if (zl < 0 || cl < 0) {
      if (zl < 0 && cl < 0 && !ours_ud) {
        ++ours_accepts_rejected;
        std::string key = std::string("rej/") + cpu::mnemonic(d);
        if (std::getenv("SLOTLAB_DECODER_VERBOSE") && !examples.count(key))
          examples[key] = hex(b, d.len) + " accepted by us as " + cpu::mnemonic(d) + ", rejected by both";
      }
      continue;
    }
    if (zl != cl) {
      ++disagree;
      if (st == DecodeStatus::Ok && d.len == zl) ++disagree_ours_zydis;
      else if (st == DecodeStatus::Ok && d.len == cl) ++disagree_ours_capstone;
      continue;
    }
    ++both;
    if (st == DecodeStatus::Ok && d.len == zl) {
      ++exact;
      if (ours_ud) ++ud_same;
      continue;
    }
    const char* cls = st == DecodeStatus::Ok && ours_ud ? allowed_class(zi, d) : nullptr;
    if (cls) { ++allowed[cls]; continue; }
    ++fails;
    std::string key = std::string(dis.capstone_text()).substr(0, std::string(dis.capstone_text()).find(' ')) + "/" +
                      (st == DecodeStatus::Ok ? cpu::mnemonic(d) : "TooLong");
    if (examples.size() < 60 && !examples.count(key)) {
      char line[256];
      std::snprintf(line, sizeof line, "%s  [%s] oracles len %d (%s), ours %s len %d%s", m64 ? "64" : "32",
                    hex(b, unsigned(zl)).c_str(), zl, dis.capstone_text(),
                    st == DecodeStatus::Ok ? cpu::mnemonic(d) : "TooLong", st == DecodeStatus::Ok ? d.len : 0,
                    ours_ud ? " (#UD)" : "");
      examples[key] = line;
    }
  }
  std::printf("[decoder %s-bit] %llu sequences, both oracles accept %llu (length disagreement between them: %llu)\n",
              m64 ? "64" : "32", (unsigned long long)n, (unsigned long long)both, (unsigned long long)disagree);
  std::printf("  where they disagree we match Zydis %llu times, Capstone %llu times\n",
              (unsigned long long)disagree_ours_zydis, (unsigned long long)disagree_ours_capstone);
  std::printf("  same length: %llu (of which #UD rows: %llu); allowed #UD classes:", (unsigned long long)exact,
              (unsigned long long)ud_same);
  for (auto& [k, v] : allowed) std::printf(" %s=%llu", k.c_str(), (unsigned long long)v);
  std::printf("\n  decoded by us but rejected by both oracles: %llu\n", (unsigned long long)ours_accepts_rejected);
  for (auto& [k, e] : examples) std::printf("  MISMATCH %s\n", e.c_str());
  EXPECT_EQ(fails, 0u) << "length mismatches outside the documented #UD classes";
  EXPECT_GT(both, n / 2) << "too few sequences reached the comparison";
}

TEST(DecoderFuzz, LengthsMatchCapstoneAndZydis64) { cross_check(true, 0x5107'1ab0'0064ull); }
TEST(DecoderFuzz, LengthsMatchCapstoneAndZydis32) { cross_check(false, 0x5107'1ab0'0032ull); }

}  // namespace
}  // namespace slot::cputest
