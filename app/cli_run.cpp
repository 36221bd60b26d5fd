// `slotlab run`: boot a kernel, and on request trace the MMU, print
// statistics and dump the TLBs (docs/trace-format.md). Observers are
// attached only while a trace or a stale summary needs them, so a plain run
// pays nothing for these options. To act at given instruction counts (a
// dump, the start or end of a trace window) the run is cut into segments:
// Machine::run(limit) returns at the limit and the next call continues.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "app/cli.h"
#include "app/commands.h"
#include "app/machine_options.h"
#include "emu/io/output_file.h"
#include "emu/io/stop_signal.h"
#include "emu/trace/dump_report.h"
#include "emu/trace/stats_report.h"
#include "emu/trace/tracer.h"

namespace slot::emu {

void add_machine_options(CLI::App& app, RunOptions& o) {
  bind_machine_options(app, o.kernel, o.machine);
  bind_run_options(app, o.max_insns, o.serial, "write COM1 output to FILE instead of stdout");
  app.add_option("--tlb-stale", o.stale,
                 "stale translations: off (as hardware), detect (re-walk every hit, report mismatches), "
                 "flush-on-write (NON-ARCHITECTURAL comparison mode)");

  // Traces (docs/trace-format.md).
  app.add_option("--trace", o.trace.trace, "trace record categories: tlb,walk,cr3,invlpg,pf,stale or all");
  app.add_option("--trace-out", o.trace.out, "trace FILE (default: standard error; - = standard output)");
  app.add_option("--trace-format", o.trace.format,
                 "text (with disassembly) or jsonl (default: jsonl if FILE ends in .jsonl, else text)");
  app.add_option("--trace-va", o.trace.va, "only records for linear addresses LO-HI (inclusive)");
  app.add_option("--trace-slot", o.trace.slots, "only records for PML4 slots N or N-M, comma separated")
      ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--trace-cr3", o.trace.cr3, "only records while CR3 points at this page-table base");
  app.add_option("--trace-pcid", o.trace.pcid, "only records while this PCID is current");
  app.add_option("--trace-icount", o.trace.icount, "only records of instructions LO-HI (counted from 0)");
  app.add_option("--trace-max-bytes", o.trace.max_bytes, "stop tracing after this many bytes (K/M/G; default 1G)");

  // Statistics and dumps.
  app.add_flag("--stats", o.stats, "print TLB statistics, modelled cycles and host speed at exit (standard error)");
  app.add_option("--stats-json", o.stats_json, "write the same statistics as JSON to FILE");
  app.add_option("--tlb-dump-at", o.dump_at, "dump every TLB array after N instructions (repeatable)")
      ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->delimiter(',');
  app.add_option("--tlb-dump", o.dump, "write TLB dumps (--tlb-dump-at, and one at exit) to FILE; .json = JSON");
}

namespace {

mmu::StaleMode parse_stale(const std::string& s) {
  if (s == "off") return mmu::StaleMode::Off;
  if (s == "detect") return mmu::StaleMode::Detect;
  if (s == "flush-on-write") return mmu::StaleMode::FlushOnWrite;
  throw std::invalid_argument("--tlb-stale: '" + s + "' is not a mode (off, detect, flush-on-write)");
}

// What the run loop must do at instruction counts other than the end.
struct Plan {
  std::vector<uint64_t> dumps;   // sorted, unique
  size_t next_dump = 0;
  uint64_t attach_at = 0, detach_at = ~0ull;  // trace window [attach_at, detach_at)
};

// Runs to the end, stopping at every point of the plan. Returns the exit.
RunExit run_planned(Machine& m, uint64_t limit, Plan& p, trace::Tracer* t, trace::DumpWriter* d,
                    bool keep_tracer, double& seconds, bool& observed) {
  using clock = std::chrono::steady_clock;
  for (;;) {
    const uint64_t now = m.icount();
    while (p.next_dump < p.dumps.size() && p.dumps[p.next_dump] <= now) {
      d->dump(m.mmu(), now, "at");
      ++p.next_dump;
    }
    if (t && !t->capped()) {
      if (!t->attached() && now >= p.attach_at && now < p.detach_at) t->attach();
      if (t->attached() && now >= p.detach_at && !keep_tracer) t->detach();
    }
    observed |= t && t->attached();
    uint64_t stop = limit;
    if (p.next_dump < p.dumps.size()) stop = std::min(stop, p.dumps[p.next_dump]);
    if (t && !t->attached() && p.attach_at > now) stop = std::min(stop, p.attach_at);
    if (t && t->attached() && p.detach_at > now && !keep_tracer) stop = std::min(stop, p.detach_at);
    const auto t0 = clock::now();
    const RunExit r = m.run(stop);
    seconds += std::chrono::duration<double>(clock::now() - t0).count();
    if (r == RunExit::Stopped && StopOnSignal::interrupted()) return r;   // Ctrl-C: finish up
    if (r == RunExit::Stopped && t && t->capped()) {
      if (!keep_tracer) t->detach();  // the trace is full: run on at full speed
      continue;
    }
    if (r == RunExit::InsnLimit && m.icount() < limit) continue;  // a segment boundary
    return r;
  }
}

const char* stale_name(mmu::StaleMode s) {
  return s == mmu::StaleMode::Detect ? "detect" : s == mmu::StaleMode::FlushOnWrite ? "flush-on-write" : "off";
}

}  // namespace

int cmd_run(const RunOptions& o) {
  if (!o.gdb.endpoint.empty()) return run_gdb_stub(o, o.gdb);
  // Every option is checked before the machine is built.
  const trace::TraceOptions topts = trace::parse_trace_args(o.trace);
  const mmu::StaleMode stale = parse_stale(o.stale);
  Plan plan;
  for (const std::string& s : o.dump_at) plan.dumps.push_back(trace::parse_number("--tlb-dump-at", s));
  std::sort(plan.dumps.begin(), plan.dumps.end());
  plan.dumps.erase(std::unique(plan.dumps.begin(), plan.dumps.end()), plan.dumps.end());
  const bool want_stats = o.stats || !o.stats_json.empty();
  // Every output path is checked before the run, not found unwritable after it.
  for (const auto& [opt, path] : {std::pair<const char*, std::string>{"--trace-out", o.trace.out},
                                  {"--stats-json", o.stats_json}, {"--tlb-dump", o.dump}, {"--serial", o.serial}})
    if (const std::string err = check_output_path(path); !err.empty())
      throw std::invalid_argument(std::string(opt) + ": " + err);
  // The stale summary of --stats needs an observer for the whole run.
  const bool keep_tracer = want_stats && stale == mmu::StaleMode::Detect;

  Machine m(o.machine);
  m.load_kernel(o.kernel);
  FileSink* serial_file = nullptr;
  if (!o.serial.empty()) {
    auto sink = std::make_unique<FileSink>(o.serial);
    serial_file = sink.get();
    m.board().set_serial_sink(std::move(sink));
  } else {
    m.board().set_serial_sink(std::make_unique<StdoutSink>());
  }
  m.mmu().set_stale_mode(stale);

  std::unique_ptr<trace::Tracer> tracer;
  if (topts.categories || keep_tracer) {
    tracer = std::make_unique<trace::Tracer>(m.cpu(), m.mmu(), m.mem(), topts);
    tracer->open(m.mmu().config().name, stale_name(stale));
    if (!keep_tracer) {
      // One instruction early: a fault in instruction N-1 is delivered in
      // the same step, with icount already N (cpu.cpp, Cpu::step).
      plan.attach_at = topts.filter.icount.lo ? topts.filter.icount.lo - 1 : 0;
      plan.detach_at = topts.filter.icount.hi == ~0ull ? ~0ull : topts.filter.icount.hi + 1;
    }
  }
  std::unique_ptr<trace::DumpWriter> dumps;
  if (!o.dump.empty() || !plan.dumps.empty()) dumps = std::make_unique<trace::DumpWriter>(o.dump);

  const uint64_t limit = o.max_insns ? o.max_insns : ~0ull;
  double seconds = 0;
  bool observed = stale == mmu::StaleMode::Detect;
  RunExit r;
  {
    StopOnSignal on_ctrl_c([](void* mach) { static_cast<Machine*>(mach)->request_stop(); }, &m);
    r = run_planned(m, limit, plan, tracer.get(), dumps.get(), keep_tracer, seconds, observed);
  }
  const bool interrupted = StopOnSignal::interrupted();
  m.board().flush();
  std::fflush(stdout);
  std::vector<std::string> errors;   // outputs that could not be written: reported, exit status 1
  std::vector<std::string> wrote;    // and those that were: "wrote t.jsonl (24633 records)"
  auto done = [&](const std::string& path, const std::string& what) {
    if (path != "-" && !path.empty()) wrote.push_back(path + " (" + what + ")");
  };
  if (serial_file) {
    if (std::string err = serial_file->commit(); !err.empty()) errors.push_back(err);
    else done(o.serial, "COM1 output");
  }

  if (tracer) {
    tracer->detach();
    try {
      tracer->finish(m.icount(), interrupted);
      if (topts.categories) done(o.trace.out, std::to_string(tracer->records()) + " records");
    } catch (const std::exception& ex) {
      errors.push_back(ex.what());
    }
  }
  // A point equal to the final count is reached (the run ended right there).
  for (; plan.next_dump < plan.dumps.size() && plan.dumps[plan.next_dump] == m.icount(); ++plan.next_dump)
    dumps->dump(m.mmu(), m.icount(), "at");
  for (size_t i = plan.next_dump; i < plan.dumps.size(); ++i)
    std::fprintf(stderr, "slotlab: --tlb-dump-at %llu not reached (the run ended after %llu instructions)\n",
                 (unsigned long long)plan.dumps[i], (unsigned long long)m.icount());
  if (dumps) {
    if (!o.dump.empty()) dumps->dump(m.mmu(), m.icount(), "exit");
    try {
      dumps->finish();
      done(o.dump, std::to_string(plan.dumps.size() + 1) + " dumps");
    } catch (const std::exception& ex) {
      errors.push_back(ex.what());
    }
  }

  if (m.reboots())
    std::fprintf(stderr, "slotlab: the machine rebooted %u time%s (--reboot)\n", m.reboots(), m.reboots() == 1 ? "" : "s");
  int status = 0;
  switch (r) {
    case RunExit::DebugExit: status = int(m.exit_status() & 0xFF); break;
    case RunExit::Shutdown:
      std::fprintf(stderr, "slotlab: machine shut down after %llu instructions: %s\n",
                   (unsigned long long)m.icount(), m.shutdown_report().c_str());
      break;
    case RunExit::InsnLimit:
      std::fprintf(stderr, "slotlab: stopped at the instruction limit (--max-insns %llu), RIP=%#llx\n",
                   (unsigned long long)limit, (unsigned long long)m.cpu().s.rip);
      status = kExitInsnLimit;
      break;
    case RunExit::Stopped:
      if (interrupted) {
        std::fprintf(stderr, "slotlab: interrupted after %llu instructions%s\n", (unsigned long long)m.icount(),
                     tracer ? "; the trace ends there" : "");
        status = kExitInterrupted;
      }
      break;
  }

  if (want_stats) {
    const mmu::MmuStats st = m.mmu().stats();
    trace::StatsInput in;
    in.stats = &st;
    in.config = &m.mmu().config();
    in.cost = m.mmu().cost(m.icount(), m.cpu().kernel_ops());
    in.ops = m.cpu().kernel_ops();
    in.instructions = m.icount();
    in.host_seconds = seconds;
    in.observed = observed;
    in.stale_mode = stale_name(stale);
    if (tracer && keep_tracer) {
      in.stale_sites = &tracer->stale_sites();
      in.stale_events = tracer->stale_events();
      in.stale_sites_truncated = tracer->stale_sites_truncated();
    }
    if (o.stats) {
      const std::string t = trace::format_stats_text(in);
      std::fwrite(t.data(), 1, t.size(), stderr);
    }
    if (!o.stats_json.empty()) {
      OutputFile f(o.stats_json, "--stats-json");
      f.write(trace::format_stats_json(in));
      if (std::string err = f.commit(); !err.empty()) errors.push_back(err);
      else done(o.stats_json, "statistics");
    }
  }
  for (const std::string& w : wrote) std::fprintf(stderr, "slotlab: wrote %s\n", w.c_str());
  for (const std::string& e : errors) std::fprintf(stderr, "slotlab: %s\n", e.c_str());
  if (!errors.empty() && status == 0) status = 1;
  return status;
}

CommandAction bind_run(CLI::App& cmd) {
  auto o = std::make_shared<RunOptions>();
  add_machine_options(cmd, *o);
  add_gdb_options(cmd, o->gdb, false);
  return [o] { return cmd_run(*o); };
}

}  // namespace slot::emu
