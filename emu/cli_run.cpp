#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "emu/cli.h"

namespace slot::emu {

void add_machine_options(CLI::App& app, RunOptions& o) {
  app.add_option("kernel", o.kernel, "multiboot-1 kernel image (ELF32, ELF64 or a.out kludge)")->required();
  app.add_option("--mem", o.machine.ram_mib, "guest RAM in MiB")->default_val(256)->check(CLI::Range(2, 65536));
  app.add_option("--max-insns", o.max_insns, "stop after this many instructions (0 = no limit)")->default_val(0);
  app.add_option("--cmdline", o.machine.cmdline, "multiboot command line passed to the kernel");
  app.add_option("--serial", o.serial, "write COM1 output to FILE instead of stdout");
  app.add_option("--tlb", o.machine.tlb, "TLB model: skylake, icelake, tiny, none, or a description file")
      ->default_val("skylake");
}

int cmd_run(const RunOptions& o) {
  Machine m(o.machine);
  m.load_kernel(o.kernel);
  if (!o.serial.empty()) m.board().set_serial_sink(std::make_unique<FileSink>(o.serial));
  else m.board().set_serial_sink(std::make_unique<StdoutSink>());
  const uint64_t limit = o.max_insns ? o.max_insns : ~0ull;
  const RunExit r = m.run(limit);
  m.board().flush();
  std::fflush(stdout);
  switch (r) {
    case RunExit::DebugExit: return int(m.exit_status() & 0xFF);
    case RunExit::Shutdown:
      std::fprintf(stderr, "slotlab: machine shut down after %llu instructions: %s\n",
                   (unsigned long long)m.icount(), m.shutdown_report().c_str());
      return 0;
    case RunExit::InsnLimit:
      std::fprintf(stderr, "slotlab: stopped at the instruction limit (--max-insns %llu), RIP=%#llx\n",
                   (unsigned long long)limit, (unsigned long long)m.cpu().s.rip);
      return kExitInsnLimit;
    case RunExit::Stopped: return 0;
  }
  return 0;
}

}  // namespace slot::emu
