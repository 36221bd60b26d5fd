// Machine-level chaos (docs/reliability.md): random bytes and random valid
// instructions executed in ring 0 and ring 3 with 4-level paging on, for a
// fixed seed range. The emulator must never crash (ASan/UBSan in CI), never
// hang (every run() returns within its budget), and a shutdown must come with
// its report ("triple fault: ..."). Ring-0 chaos may rewrite its own page
// tables, GDT, IDT and control registers; that is the point.
//
// After a fault lands in an exception handler (a `jmp $` of the test machine)
// or the CPU halts, the run is resumed from the pristine register state at a
// random place in the code page (memory keeps whatever the chaos did to it),
// until the seed's instruction budget is spent or the machine shuts down.
// SLOTLAB_CHAOS_SEEDS=N and SLOTLAB_CHAOS_INSNS=M make the long run.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "cpu/decoder.h"
#include "tests/cpu/machine.h"

namespace slot::cpu {
template <unsigned W> void ud(Cpu&, const Insn&);
}

namespace slot::cputest {
namespace {

constexpr uint64_t kCode = 0x40000000, kCodePa = 0x300000, kCodeBytes = 0x4000;
constexpr uint64_t kData = 0x40010000, kDataPa = 0x310000;

uint64_t env(const char* name, uint64_t dflt) {
  const char* e = std::getenv(name);
  return e ? std::strtoull(e, nullptr, 0) : dflt;
}

bool is_ud(const cpu::Insn& d) {
  return d.fn == &cpu::ud<1> || d.fn == &cpu::ud<2> || d.fn == &cpu::ud<4> || d.fn == &cpu::ud<8>;
}

// Random bytes, or a stream of instructions our decoder accepts (random
// candidates, #UD ones dropped) - the second reaches far more handlers.
void fill_code(TestMachine& m, std::mt19937_64& rng, bool valid, bool m64) {
  uint64_t off = 0;
  while (off < kCodeBytes) {
    uint8_t b[16];
    for (auto& x : b) x = uint8_t(rng());
    unsigned n = 1;
    if (valid) {
      cpu::Insn d;
      if (cpu::decode(m64 ? cpu::CodeSize::Bits64 : cpu::CodeSize::Bits32, [&](unsigned i) { return b[i]; }, d) !=
              cpu::DecodeStatus::Ok || is_ud(d))
        continue;
      n = d.len;
    }
    for (unsigned k = 0; k < n && off < kCodeBytes; ++k) m.wr(kCodePa + off++, b[k], 1);
  }
}

struct Tally { uint64_t insns = 0, resumes = 0, shutdowns = 0, triple = 0, budget_end = 0; };

void chaos_seed(uint64_t seed, uint64_t budget, Tally& t) {
  std::mt19937_64 rng(seed);
  const unsigned cpl = (seed & 1) ? 3 : 0;
  const bool valid = seed & 2;
  const bool compat = cpl == 3 && (seed % 8) == 7;
  TestMachine m(4ull << 20);
  m.enter_long_mode(cpl);
  m.map(kCode, kCodePa, kCodeBytes, x86::PTE_U | x86::PTE_W);
  m.map(kData, kDataPa, 0x10000, x86::PTE_U | x86::PTE_W);
  if (compat) m.cpu.set_seg_raw(cpu::CS, kUCode32, 0, 0xFFFFFFFF, 0xCFB);
  if (seed % 16 == 5) m.cpu.s.idtr.limit = 0;  // every fault becomes a triple fault
  fill_code(m, rng, valid, !compat);
  const cpu::CpuSnapshot pristine = m.cpu.snapshot();

  auto resume = [&] {
    cpu::CpuSnapshot s = pristine;
    s.icount = m.cpu.icount();
    s.halted = false;
    s.s.rip = (cpl == 3 ? kCode : kCodePa) + rng() % kCodeBytes;
    for (unsigned r = 0; r < 16; ++r) {
      const uint64_t v = rng();
      s.s.gpr[r] = (v & 3) ? (cpl == 3 ? kData : kDataPa) + (v >> 8) % 0x10000 : v;
    }
    s.s.gpr[cpu::RSP] = (cpl == 3 ? kData : kDataPa) + 0x8000;
    m.cpu.restore(s);
    m.cpu.sync_mmu();
    ++t.resumes;
  };
  resume();
  const uint64_t start = m.cpu.icount();
  while (m.cpu.icount() - start < budget) {
    const uint64_t before = m.cpu.icount();
    const cpu::StopReason r = m.cpu.run(before + 500);
    ASSERT_GE(m.cpu.icount(), before) << "seed " << seed;
    if (r == cpu::StopReason::TripleFault) {
      const std::string& rep = m.cpu.shutdown_report();
      ASSERT_FALSE(rep.empty()) << "seed " << seed << ": shutdown without a report";
      ++t.shutdowns;
      if (rep.rfind("triple fault", 0) == 0) ++t.triple;
      if (seed % 16 == 5) {
        EXPECT_EQ(rep.rfind("triple fault", 0), 0u) << "seed " << seed << ": " << rep;
      }
      t.insns += m.cpu.icount() - start;
      return;
    }
    ASSERT_TRUE(r == cpu::StopReason::Limit || r == cpu::StopReason::Halted) << "seed " << seed;
    const uint64_t rip = m.cpu.s.rip;
    if (m.cpu.halted() || (rip >= kHandlers && rip < kHandlers + 16 * 256)) resume();
  }
  ++t.budget_end;
  t.insns += m.cpu.icount() - start;
}

TEST(MachineChaos, RandomCodeRing0AndRing3) {
  const uint64_t seeds = env("SLOTLAB_CHAOS_SEEDS", 96), budget = env("SLOTLAB_CHAOS_INSNS", 40000);
  Tally t;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    chaos_seed(seed, budget, t);
    if (HasFatalFailure()) return;
  }
  std::printf("[machine chaos] seeds 1..%llu: %llu instructions, %llu resumes after a fault or HLT, "
              "%llu shutdowns (%llu triple faults), %llu seeds ran their whole budget\n",
              (unsigned long long)seeds, (unsigned long long)t.insns, (unsigned long long)t.resumes,
              (unsigned long long)t.shutdowns, (unsigned long long)t.triple, (unsigned long long)t.budget_end);
  EXPECT_GT(t.triple, 0u);
  EXPECT_GT(t.resumes, seeds);
}

}  // namespace
}  // namespace slot::cputest
