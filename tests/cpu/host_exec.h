// Runs one instruction natively on the host CPU, from and to a register
// file in memory: the oracle of the differential test (diff_test.cpp).
// The instruction is written into an executable page between a stub that
// loads all 16 GPRs and RFLAGS and one that stores them back. Data lives in
// two pages right after the code page; everything around is PROT_NONE, so a
// stray access faults instead of corrupting the test. The region is mapped
// below 2 GiB (MAP_32BIT) so 32-bit addressing (67h) and moffs32 work.
// A fault (SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGTRAP) is caught on an alternate
// stack; the register file then holds the state at the faulting instruction.
// The same instruction can also run in compatibility mode (32-bit code).
#pragma once
#include <cstddef>
#include <cstdint>

namespace slot::cputest {

struct RegFile {
  uint64_t gpr[16];   // RAX..R15 in encoding order
  uint64_t rflags;
  uint64_t outcome;   // kFellThrough, kTaken, or kFaulted
};
inline constexpr uint64_t kFellThrough = 0, kTaken = 1, kFaulted = 2;

class HostExec {
 public:
  static constexpr size_t kDataSize = 8192;
  // A branch is "taken" if it lands kTakenOffset bytes past the end of the
  // instruction: the stub puts a 5-byte JMP to the fall-through exit there.
  static constexpr unsigned kTakenOffset = 5;

  HostExec();
  ~HostExec();
  HostExec(const HostExec&) = delete;
  HostExec& operator=(const HostExec&) = delete;

  uint64_t code_page() const { return code_; }       // the instruction's page (same VA in the emulator)
  uint64_t insn_va() const;                          // where the instruction is placed
  uint64_t data_va() const { return code_ + 4096; }  // kDataSize bytes
  uint8_t* data() { return reinterpret_cast<uint8_t*>(data_va()); }
  uint64_t fs_base() const { return fs_base_; }
  // True if selector 0x23 is a present 32-bit code segment (LAR), i.e. the
  // kernel lets user code switch to compatibility mode.
  static bool has_compat_segment();
  uint64_t gs_base() const { return gs_base_; }

  // Runs `insn` with the registers and flags of `rf`, leaves the result in
  // `rf`. Returns the signal number if it faulted, else 0. With `compat` the
  // instruction runs in compatibility mode (Linux's 32-bit user CS, 0x23,
  // entered by a far jump; DS = ES = 0x2B); only the low 32 bits of the GPRs
  // are then meaningful (SDM Vol. 1 §3.4.1.1).
  int run(const uint8_t* insn, unsigned len, RegFile& rf, bool compat = false);

 private:
  void build_stub();
  uint8_t* base_ = nullptr;  // whole reservation
  uint64_t code_ = 0;
  uint64_t fs_base_ = 0, gs_base_ = 0;
  void* altstack_ = nullptr;
};

}  // namespace slot::cputest
