// slotlab: the command-line entry point. Every command comes from the
// command table (app/commands.cpp); each parses its options and calls into
// the machine, the debugger engine or the UI.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "app/parse_command_line.h"

int main(int argc, char** argv) {
  using namespace slot::emu;
  CLI::App app{"SlotLab: an x86-64 emulator with an honest TLB model, and a debugger for the module-area microkernel"};
  app.require_subcommand(1);
  struct Bound { CLI::App* cmd; CommandAction run; };
  std::vector<Bound> bound;
  for (const Command& c : commands()) {
    CLI::App* cmd = app.add_subcommand(c.name, c.help);
    bound.push_back({cmd, c.bind(*cmd)});
  }
  if (const std::optional<int> status = parse_command_line(app, argc, argv, "slotlab")) return *status;
  try {
    for (const Bound& b : bound)
      if (b.cmd->parsed()) return b.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slotlab: %s\n", e.what());
    return kExitBadInput;
  }
  return 0;
}
