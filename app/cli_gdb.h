// `slotlab gdbserver KERNEL --gdb HOST:PORT [--gdb-wait]`: the machine on the
// debugger engine behind a gdb remote stub (docs/gdb.md). The same options
// and run_gdb_stub() serve `slotlab run --gdb` once cli_run.cpp wires them.
#pragma once
#include <cstdint>
#include <string>

namespace CLI { class App; }

namespace slot::emu {

struct RunOptions;  // app/cli.h (which may include this header for GdbOptions)

struct GdbOptions {
  std::string endpoint;            // HOST:PORT; empty = no stub
  bool wait = false;               // stay paused until gdb attaches
  bool allow_remote = false;       // permit a non-loopback address
  uint64_t snapshot_interval = 2'000'000;
  uint64_t snapshot_budget_mib = 256;
  uint64_t history_budget_mib = 1024;
};

// Adds --gdb (required for gdbserver), --gdb-wait, --gdb-allow-remote and
// the time-travel knobs to a subcommand.
void add_gdb_options(CLI::App& app, GdbOptions& g, bool endpoint_required);
// Boots `run.kernel` on the engine and serves gdb; returns the process status
// (the guest's exit status once it exited, 0 after `kill`, 2 on bad input).
int run_gdb_stub(const RunOptions& run, const GdbOptions& g);


}  // namespace slot::emu
