// slotlab: the command-line entry point. Subcommands are thin: each parses
// its options and calls into the machine / debugger engine.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "app/cli.h"
#include "app/cli_command.h"

int main(int argc, char** argv) {
  using namespace slot::emu;
  CLI::App app{"SlotLab: an x86-64 emulator with an honest TLB model, and a debugger for the module-area microkernel"};
  app.require_subcommand(1);
  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "boot a multiboot kernel, COM1 to stdout, exit like QEMU's isa-debug-exit");
  add_machine_options(*run_cmd, run);
  add_gdb_options(*run_cmd, run.gdb, false);
  BenchCommand bench(app);
  GdbCommand gdbserver(app);
  DebugCommand debug(app);
  DemoCommand demo(app);
  TraceCommand trace(app);
  LabCommand lab(app);
  // An unknown command is named as such, not as "a subcommand is required".
  auto known = [&](const std::string& name) {
    for (const CLI::App* s : app.get_subcommands({}))
      if (s->get_name() == name) return true;
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
    std::string names;
    for (const CLI::App* s : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + s->get_name();
    std::fprintf(stderr, "slotlab: unknown command '%s' (one of: %s; see slotlab --help)\n", argv[1], names.c_str());
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "slotlab: %s (see slotlab --help)\n", e.what());
    return kExitBadInput;
  }
  try {
    if (*run_cmd) return cmd_run(run);
    if (bench.chosen()) return bench.run();
    if (gdbserver.chosen()) return gdbserver.run();
    if (debug.chosen()) return debug.run();
    if (demo.chosen()) return demo.run();
    if (trace.chosen()) return trace.run();
    if (lab.chosen()) return lab.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slotlab: %s\n", e.what());
    return kExitBadInput;
  }
  return 0;
}
