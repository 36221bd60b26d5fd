// The machine options every command that boots a kernel shares, declared
// once: the kernel, --mem, --cmdline, --tlb. Defaults come from
// emu::MachineConfig, the TLB presets from mmu (mmu::preset_names()), so the
// help text cannot drift from what the machine accepts.
#pragma once
#include <string>

#include "emu/machine/machine.h"

namespace CLI { class App; class Option; class Validator; }

namespace slot::emu {

struct MachineOptionsHelp {
  const char* kernel = "multiboot-1 kernel image (ELF32, ELF64 or a.out kludge)";
  bool kernel_required = true;
  const char* cmdline = "multiboot command line passed to the kernel";
  bool mem = true;   // --mem (the demo and the labs fix the machine's size)
};

// Adds the options to `cmd`, writing into `kernel` and `m`.
void bind_machine_options(CLI::App& cmd, std::string& kernel, MachineConfig& m, const MachineOptionsHelp& h = {});
// Just --tlb (commands whose machine is otherwise fixed, e.g. a lab's).
CLI::Option* bind_tlb_option(CLI::App& cmd, std::string& tlb, const char* what = "TLB model");
// A count option (--max-insns): digits only, so "-5" is an error, not "no limit".
CLI::Validator count_validator();
// "skylake, icelake, tiny, none" from mmu.
std::string tlb_presets_text();

}  // namespace slot::emu
