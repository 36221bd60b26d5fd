// The slotlab command line: one function per subcommand, sharing one set of
// machine options. Exit statuses: the guest's isa-debug-exit status (odd, as
// QEMU), 0 after a shutdown (triple fault, as QEMU with -no-reboot), 2 for bad
// input, 4 when --max-insns ran out.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/cli_gdb.h"
#include "emu/machine/machine.h"
#include "emu/trace/options.h"

namespace CLI { class App; }
namespace slot::ui { struct DebugOptions; }

namespace slot::emu {

inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInsnLimit = 4;

struct RunOptions {
  std::string kernel;
  MachineConfig machine;
  uint64_t max_insns = 0;  // 0 = unlimited
  std::string serial;      // empty = stdout

  // Traces, statistics, dumps (docs/trace-format.md). Kept as typed; parsed
  // by cmd_run (trace::parse_trace_args) so a bad value is one line, exit 2.
  trace::TraceArgs trace;
  bool stats = false;                 // table on standard error at exit
  std::string stats_json;             // FILE
  std::vector<std::string> dump_at;   // --tlb-dump-at N (repeatable)
  std::string dump;                   // --tlb-dump FILE (.json = JSON)
  std::string stale = "off";          // --tlb-stale=off|detect|flush-on-write

  // `run --gdb HOST:PORT`: the same stub as `slotlab gdbserver` (docs/gdb.md).
  GdbOptions gdb;
};

// Adds the options shared by run/trace/debug to a subcommand.
void add_machine_options(CLI::App& app, RunOptions& o);
int cmd_run(const RunOptions& o);

// The debugger's own options (--until, --break, --open, --walk, --script,
// --screenshot, window and font), shared by `debug` and `lab` (cli_debug.cpp).
void bind_debugger_options(CLI::App& cmd, ui::DebugOptions& o);
// Runs the GUI debugger; in a build without the UI, says so (and what to do
// instead) and returns 2.
int open_debugger(const ui::DebugOptions& o, const std::string& without_ui);

}  // namespace slot::emu
