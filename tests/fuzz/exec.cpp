// libFuzzer target: a few instructions executed from random machine state.
// Input: byte 0 configures the machine (ring, code size, CR4 and RFLAGS
// bits, whether the GPRs point into mapped memory), bytes 1-16 are the code
// at RIP, the rest fill RAX..R15 (8 bytes each, missing ones are 0).
// Paging is on (4-level, tests/cpu/machine.h): ring-0 code runs in the
// identity map of the low 4 MiB (so it may rewrite its own page tables, GDT
// and IDT), ring-3 code in a user page at 0x40000000 with user data at
// 0x40010000. Fails on a host crash, a sanitizer report, a run that does not
// return (libFuzzer's -timeout) or a broken run contract: a stop other than
// Limit/Halted/TripleFault, a triple fault without a report, or time going
// backwards.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tests/cpu/machine.h"

namespace {
using namespace slot;
using namespace slot::cputest;

constexpr uint64_t kUserCode = 0x40000000, kUserCodePa = 0x300000;
constexpr uint64_t kUserData = 0x40010000, kUserDataPa = 0x310000;
constexpr uint64_t kRam = 4ull << 20;

void fail(const char* why) { std::fprintf(stderr, "exec: %s\n", why); std::abort(); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t cfg = data[0];
  const unsigned cpl = (cfg & 1) ? 3 : 0;
  TestMachine m(kRam);
  m.enter_long_mode(cpl);
  m.map(kUserCode, kUserCodePa, 0x2000, x86::PTE_U | x86::PTE_W);
  m.map(kUserData, kUserDataPa, 0x10000, x86::PTE_U | x86::PTE_W);
  auto& s = m.cpu.s;
  if (cpl == 3 && (cfg & 2)) m.cpu.set_seg_raw(cpu::CS, kUCode32, 0, 0xFFFFFFFF, 0xCFB);  // compatibility mode
  if (cfg & 0x10) s.cr4 |= x86::CR4_SMEP | x86::CR4_SMAP;
  if (cfg & 0x20) s.cr4 |= x86::CR4_PGE | x86::CR4_FSGSBASE;
  m.cpu.set_rflags(2 | ((cfg & 8) ? x86::FL_IF : 0) | ((cfg & 0x40) ? x86::FL_AC : 0) | ((cfg & 0x80) ? 1u << 10 : 0));

  const uint64_t code = cpl == 3 ? kUserCode : kUserCodePa;
  uint8_t bytes[16] = {};
  std::memcpy(bytes, data + 1, size - 1 < 16 ? size - 1 : 16);
  for (unsigned k = 0; k < 16; ++k) m.wr(kUserCodePa + k, bytes[k], 1);
  m.wr(kUserCodePa + 16, 0xFEEB, 2);
  for (unsigned r = 0; r < 16; ++r) {
    uint64_t v = 0;
    const size_t off = 17 + 8ull * r;
    if (off < size) std::memcpy(&v, data + off, size - off < 8 ? size - off : 8);
    if (cfg & 4) v = (cpl == 3 ? kUserData : kUserDataPa) + (v & 0xFFF8);  // point into mapped data
    s.gpr[r] = v;
  }
  if (cfg & 4) s.gpr[cpu::RSP] = (cpl == 3 ? kUserData : kUserDataPa) + 0x8000;
  s.rip = code;
  m.cpu.flush_code_cache();
  m.cpu.sync_mmu();

  for (unsigned k = 0; k < 4; ++k) {
    const uint64_t before = m.cpu.icount();
    const cpu::StopReason r = m.cpu.run(before + 1);
    if (m.cpu.icount() < before) fail("icount went backwards");
    if (r == cpu::StopReason::TripleFault) {
      if (m.cpu.shutdown_report().empty()) fail("shutdown without a report");
      break;
    }
    if (r != cpu::StopReason::Limit && r != cpu::StopReason::Halted) fail("unexpected stop reason");
  }
  return 0;
}
