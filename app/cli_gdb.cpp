// `slotlab gdbserver`: see cli_gdb.h and docs/gdb.md.
#include "app/cli_gdb.h"
#include "app/commands.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>

#include "app/cli.h"
#include "emu/engine/engine.h"
#include "emu/gdb/engine_target.h"
#include "emu/gdb/server.h"

namespace slot::emu {

namespace {
// COM1 to stdout, flushed per line: with a debugger attached the guest stops
// often and its output should be visible at once.
class LineSink final : public SerialSink {
 public:
  void put(uint8_t b) override {
    std::fputc(b, stdout);
    if (b == '\n') std::fflush(stdout);
  }
  void flush() override { std::fflush(stdout); }
};
}  // namespace

void add_gdb_options(CLI::App& app, GdbOptions& g, bool endpoint_required) {
  auto* o = app.add_option("--gdb", g.endpoint,
                           "serve the gdb remote protocol on HOST:PORT (loopback only; port 0 = any free port)");
  if (endpoint_required) o->required();
  app.add_flag("--gdb-wait", g.wait, "stay paused at the first instruction until gdb attaches")->needs(o);
  app.add_flag("--gdb-allow-remote", g.allow_remote,
               "allow a non-loopback --gdb address (anyone reaching it controls the machine)")
      ->needs(o);
  app.add_option("--snapshot-interval", g.snapshot_interval, "instructions between time-travel snapshots")
      ->check(CLI::Range(uint64_t(1), ~uint64_t(0)));
  app.add_option("--snapshot-budget", g.snapshot_budget_mib, "MiB of snapshots kept for reverse execution")
      ->check(CLI::Range(uint64_t(1), uint64_t(1) << 20));
  app.add_option("--history-budget", g.history_budget_mib,
                 "MiB of event and call history kept (past it a forward run stops with a message)")
      ->check(CLI::Range(uint64_t(1), uint64_t(1) << 20));
}

int run_gdb_stub(const RunOptions& run, const GdbOptions& g) {
  if (run.max_insns)
    throw std::runtime_error("--max-insns does not apply with --gdb (the debugger decides how far to run)");
  // The stub runs on the debugger engine, which keeps its own history and
  // statistics; the run-only outputs are refused rather than silently dropped.
  if (!run.trace.trace.empty() || run.stats || !run.stats_json.empty() || !run.dump_at.empty() ||
      !run.dump.empty() || run.stale != "off")
    throw std::runtime_error(
        "--trace, --stats, --stats-json, --tlb-dump, --tlb-dump-at and --tlb-stale do not apply with --gdb "
        "(use gdb's `monitor` commands, docs/gdb.md)");
  engine::EngineConfig cfg;
  cfg.machine = run.machine;
  cfg.snapshot_interval = g.snapshot_interval;
  cfg.snapshot_budget = g.snapshot_budget_mib << 20;
  cfg.history_budget = g.history_budget_mib << 20;
  engine::Engine eng(cfg);
  eng.load_kernel(run.kernel);
  if (!run.serial.empty()) eng.set_serial_sink(std::make_unique<FileSink>(run.serial));
  else eng.set_serial_sink(std::make_unique<LineSink>());
  gdb::EngineTarget target(eng);
  gdb::ServerOptions so;
  so.endpoint = g.endpoint;
  so.allow_remote = g.allow_remote;
  so.wait = g.wait;
  gdb::Server server(target, so);
  // Tests and scripts that pass port 0 read the chosen port from this line.
  std::fprintf(stderr, "slotlab: gdb stub listening on %s%s\n", server.address().c_str(),
               g.wait ? " (waiting for gdb)" : "");
  std::fflush(stderr);
  const int status = server.run();
  std::fflush(stdout);
  return status;
}

CommandAction bind_gdbserver(CLI::App& cmd) {
  struct State {
    RunOptions run;
    GdbOptions gdb;
  };
  auto s = std::make_shared<State>();
  add_machine_options(cmd, s->run);
  add_gdb_options(cmd, s->gdb, true);
  return [s] { return run_gdb_stub(s->run, s->gdb); };
}

}  // namespace slot::emu
