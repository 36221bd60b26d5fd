// The machine options every command that boots a kernel shares, declared
// once: the kernel, --mem, --cmdline, --tlb (and --max-insns, --serial for
// the commands that run to an end). Defaults come from
// emu::MachineConfig, the TLB presets from mmu (mmu::preset_names()), so the
// help text cannot drift from what the machine accepts.
#pragma once
#include <cstdint>
#include <string>

#include "emu/machine/machine.h"

namespace CLI { class App; }

namespace slot::emu {

struct MachineOptionsHelp {
  const char* kernel_name = "kernel";  // positional; "--kernel" makes it an option (a lab's number comes first)
  const char* kernel = "multiboot-1 kernel image (ELF32, ELF64 or a.out kludge)";
  bool kernel_required = true;
  const char* cmdline = "multiboot command line passed to the kernel";
  const char* tlb = "TLB model";
  bool tlb_default = true;  // false: --tlb stays empty unless given (the lab's own model applies)
  bool mem = true;          // --mem (the demo and the labs fix the machine's size)
};

// Adds the options to `cmd`, writing into `kernel` and `m`.
void bind_machine_options(CLI::App& cmd, std::string& kernel, MachineConfig& m, const MachineOptionsHelp& h = {});
// How far a run goes and where COM1 goes: --max-insns (digits only, so "-5"
// is an error, not "no limit") and --serial FILE, described by `serial`.
void bind_run_options(CLI::App& cmd, uint64_t& max_insns, std::string& serial_file, const char* serial);

}  // namespace slot::emu
