// The instruction counts behind every MIPS figure. QEMU counts nothing, so
// its MIPS rest on iterations x k, with k written by hand in each loop.S.
// Here Capstone (an oracle we did not write) disassembles the loop symbol in
// the built kernel and must find exactly k instructions ending in a
// conditional branch back to the loop's start; and slotlab's own instruction
// count must grow by exactly 100 x k from iters=200 to iters=300.
#include <capstone/capstone.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "app/bench/runner.h"
#include "app/bench/transcript.h"
#include "emu/loader/elf.h"

namespace slot::bench {
namespace {

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// File bytes of [addr, addr + size) through the PT_LOAD segments.
std::vector<uint8_t> bytes_at(const std::vector<uint8_t>& file, uint64_t addr, uint64_t size) {
  const emu::elf::Image img = emu::elf::parse(file);
  for (const emu::elf::Segment& s : img.loads)
    if (addr >= s.vaddr && addr + size <= s.vaddr + s.filesz)
      return {file.begin() + long(s.offset + (addr - s.vaddr)), file.begin() + long(s.offset + (addr - s.vaddr) + size)};
  return {};
}

struct Counted {
  size_t insns = 0;
  size_t bytes = 0;
  std::string last_mnemonic;
  uint64_t last_target = 0;
};

Counted capstone_count(const std::vector<uint8_t>& code, uint64_t addr) {
  csh h;
  Counted c;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return c;
  cs_insn* insn = nullptr;
  const size_t n = cs_disasm(h, code.data(), code.size(), addr, 0, &insn);
  c.insns = n;
  for (size_t i = 0; i < n; ++i) c.bytes += insn[i].size;
  if (n) {
    c.last_mnemonic = insn[n - 1].mnemonic;
    c.last_target = std::stoull(insn[n - 1].op_str, nullptr, 16);
  }
  cs_free(insn, n);
  cs_close(&h);
  return c;
}

class LoopCount : public ::testing::TestWithParam<const char*> {};

TEST_P(LoopCount, CapstoneAgreesWithTheKernelsK) {
  const std::string k = GetParam();
  const std::vector<uint8_t> file = read_all(std::string(PERF_ELF64_DIR) + "/perf_" + k);
  ASSERT_FALSE(file.empty());
  const std::string name = "perf_" + k + "_loop";
  const emu::elf::Symbol* loop = nullptr;
  const std::vector<emu::elf::Symbol> syms = emu::elf::function_symbols(file);
  for (const emu::elf::Symbol& s : syms)
    if (s.name == name) loop = &s;
  ASSERT_TRUE(loop) << name;
  ASSERT_GT(loop->size, 0u);
  const Counted c = capstone_count(bytes_at(file, loop->addr, loop->size), loop->addr);
  EXPECT_EQ(c.bytes, loop->size) << "the symbol must cover whole instructions";
  EXPECT_EQ(c.last_mnemonic, "jne");
  EXPECT_EQ(c.last_target, loop->addr) << "the last instruction must branch back to the loop's start";

  // The k the kernel prints (and the harness multiplies by) is Capstone's count.
  const RunResult r = run_machine(std::string(PERF_ELF_DIR) + "/perf_" + k + ".elf", "iters=0", "skylake", 100'000'000);
  const auto p = parse_perf_line(r.transcript);
  ASSERT_TRUE(p) << r.transcript << r.error;
  EXPECT_EQ(p->k, c.insns);
  EXPECT_EQ(p->loop_insns, 0u);
}

TEST_P(LoopCount, SlotlabRetiresExactlyItersTimesK) {
  const std::string img = std::string(PERF_ELF_DIR) + "/perf_" + GetParam() + ".elf";
  for (const char* tlb : {"skylake", "none"}) {
    // 200 and 300 iterations print numbers of the same length (iters and
    // loop_insns, k < 34), so everything but the loop costs the same.
    const RunResult a = run_machine(img, "iters=200", tlb, 100'000'000);
    const RunResult b = run_machine(img, "iters=300", tlb, 100'000'000);
    const auto pb = parse_perf_line(b.transcript);
    ASSERT_TRUE(pb) << b.transcript << b.error;
    EXPECT_EQ(a.status, 33);
    EXPECT_EQ(b.status, 33);
    EXPECT_EQ(b.icount - a.icount, 100 * pb->k) << tlb;
  }
}

INSTANTIATE_TEST_SUITE_P(Perf, LoopCount, ::testing::Values("alu", "mem", "tlb"));

}  // namespace
}  // namespace slot::bench
