// The emulator side of the differential test: a TestMachine whose page
// tables map the HostExec's code and data pages at the same virtual
// addresses, running at CPL 3 with the host's segment selectors, FS and GS
// bases, so one encoding means the same thing on both sides.
#pragma once
#include <cstdint>

#include "cpu/cpu.h"
#include "tests/cpu/host_exec.h"
#include "tests/cpu/machine.h"

namespace slot::cputest {

class EmuExec : public cpu::CpuObserver {
 public:
  explicit EmuExec(const HostExec& host);
  void set_data(const uint8_t* src);  // HostExec::kDataSize bytes
  void get_data(uint8_t* dst);
  // Runs one instruction with `rf`'s registers; leaves the result in `rf`.
  // Returns the vector of the exception it raised, or -1. On an exception
  // `rf` holds the state at the faulting instruction, as the host's does.
  // With `compat` it runs in compatibility mode, as HostExec::run does.
  int run(const uint8_t* insn, unsigned len, RegFile& rf, bool compat = false);
  uint64_t last_rip() const { return last_rip_; }
  void on_cpu_event(const cpu::CpuEvent& e) override;

 private:
  void enter_user(bool compat);
  TestMachine m_;
  uint64_t code_va_, insn_va_, data_va_, fs_base_, gs_base_;
  uint16_t cs_, ss_, ds_, es_, fs_, gs_;
  int vector_ = -1;
  RegFile at_fault_{};
  uint64_t last_rip_ = 0;
};

// The signal Linux raises for a vector (arch/x86/kernel/traps.c).
int signal_for_vector(int vec);

}  // namespace slot::cputest
