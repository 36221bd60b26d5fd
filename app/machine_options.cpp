#include "app/machine_options.h"

#include <CLI/CLI.hpp>

#include "mmu/config.h"

namespace slot::emu {

namespace {

CLI::Validator count_validator() {
  return CLI::Validator(
      [](std::string& s) {
        const bool digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
        return digits ? std::string() : "wants a count of 0 or more, not '" + s + "'";
      },
      "COUNT");
}

// "skylake, icelake, tiny, none" from mmu.
std::string tlb_presets_text() {
  std::string s;
  for (const std::string& p : mmu::preset_names()) s += (s.empty() ? "" : ", ") + p;
  return s;
}

CLI::Option* bind_tlb_option(CLI::App& cmd, std::string& tlb, const char* what) {
  return cmd.add_option("--tlb", tlb, std::string(what) + ": " + tlb_presets_text() + ", or a description file "
                                      "(docs/mmu.md section 4)");
}

}  // namespace

void bind_run_options(CLI::App& cmd, uint64_t& max_insns, std::string& serial_file, const char* serial) {
  cmd.add_option("--max-insns", max_insns, "stop after this many instructions (0 = no limit)")
      ->default_val(0)->check(count_validator());
  cmd.add_option("--serial", serial_file, serial);
}

void bind_machine_options(CLI::App& cmd, std::string& kernel, MachineConfig& m, const MachineOptionsHelp& h) {
  const MachineConfig defaults;
  auto* k = cmd.add_option(h.kernel_name, kernel, h.kernel);
  if (h.kernel_required) k->required();
  if (h.mem)
    cmd.add_option("--mem", m.ram_mib, "guest RAM in MiB (RAM lies below the 3.5 GiB PCI hole; docs/platform.md)")
        ->default_val(defaults.ram_mib)->check(CLI::Range(uint64_t(2), MachineConfig::kMaxRamMib));
  cmd.add_option("--cmdline", m.cmdline, h.cmdline);
  // One CPU for now: fw_cfg and the MADT report one (docs/platform.md).
  cmd.add_option("--smp", m.cpus, "number of CPUs (1; more is not emulated yet)")
      ->default_val(defaults.cpus)
      ->check(CLI::Validator(
          [](std::string& s) {
            return s == "1" ? std::string()
                            : "only 1 CPU is emulated for now (the multi-CPU machine is not built yet), not '" + s +
                                  "'";
          },
          "1"));
  cmd.add_flag("--one-insn-per-run", m.one_insn_per_run,
               "execute every instruction on its own (fetch translated, no runs on one code page): slower, and "
               "the same result to the last TLB stamp; to cross-check the fast path (docs/performance.md)");
  cmd.add_flag("--reboot", m.reboot,
               "on a reset request or a triple fault, restart the machine and boot the kernel again, as QEMU does "
               "without -no-reboot (default: stop there, as QEMU with -no-reboot)");
  cmd.add_option("--disk", m.disk,
                 "a raw disk image behind a virtio-blk PCI device at 00:04.0 (as QEMU's -drive file=FILE,format=raw,"
                 "if=none,id=d0 -device virtio-blk-pci,drive=d0); the guest's writes reach the file (docs/platform.md)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--initrd", m.initrd,
                 "multiboot modules, as QEMU's -initrd: \"FILE ARGS,FILE2 ...\", each loaded after the kernel with "
                 "\"FILE ARGS\" as its string (the guest takes a module whose second word is `manifest` as its boot "
                 "manifest, docs/guest.md)");
  cmd.add_flag("--disk-read-only", m.disk_read_only,
               "offer the disk read-only (VIRTIO_BLK_F_RO; writes fail with IOERR and the file is never opened for writing)");
  cmd.add_option("--disk-latency-us", m.disk_latency_us,
                 "each virtio-blk request completes this long after the driver's notification, in guest time "
                 "(derived from the instruction count, so runs stay identical); a slow disk for timing studies")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t(0), uint64_t(10'000'000)));
  CLI::Option* tlb = bind_tlb_option(cmd, m.tlb, h.tlb);
  if (h.tlb_default) tlb->default_val(defaults.tlb);
}

}  // namespace slot::emu
