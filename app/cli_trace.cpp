// `slotlab trace`: run to the end on the debugger engine, then export.
#include "app/commands.h"
#include "app/cli.h"
#include "app/machine_options.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>
#include <stdexcept>

#include "emu/engine/export.h"
#include "emu/engine/point_spec.h"
#include "emu/io/output_file.h"
#include "emu/io/stop_signal.h"

namespace slot::emu {

namespace {


class NullSink final : public SerialSink {
 public:
  void put(uint8_t) override {}
};

// Writes one export all or nothing and says so; "" or why not.
template <class Write>
std::string export_to(const std::string& path, const char* opt, const std::string& what, Write write) {
  OutputFile out(path, opt);
  write(out.get());
  if (std::string err = out.commit(); !err.empty()) return err;
  if (path != "-") std::fprintf(stderr, "slotlab: wrote %s (%s)\n", path.c_str(), what.c_str());
  return "";
}
struct TraceState {
  std::string kernel, serial, chrome, jsonl;
  engine::EngineConfig cfg;
  std::vector<std::string> breaks;
  uint64_t max_insns = 0;
  bool calls = false;
};

void bind_trace_options(CLI::App& cmd, TraceState& s) {
  bind_machine_options(cmd, s.kernel, s.cfg.machine);
  bind_run_options(cmd, s.max_insns, s.serial, "write COM1 output to FILE ('-' = stdout; default: discarded)");
  cmd.add_flag("--calls", s.calls, "print the call tree (per call: task, caller -> callee.op, costs)");
  cmd.add_option("--chrome-trace", s.chrome, "write Chrome trace-event JSON (Perfetto, chrome://tracing)");
  cmd.add_option("--events-jsonl", s.jsonl, "write every engine event, one JSON object per line");
  cmd.add_option("--break", s.breaks,
                    "report every arrival at this stop point on standard error and go on (repeatable): "
                    "sym:NAME, addr:HEX, event:KIND[:FILTER]; the hit counts are printed at the end");
}

int run_trace(const TraceState& s) {
  // Every output path is checked before the run, not found unwritable after it.
  for (const auto& [opt, path] : {std::pair<const char*, std::string>{"--chrome-trace", s.chrome},
                                  {"--events-jsonl", s.jsonl}, {"--serial", s.serial}})
    if (const std::string err = check_output_path(path); !err.empty())
      throw std::invalid_argument(std::string(opt) + ": " + err);
  if (!s.calls && s.chrome.empty() && s.jsonl.empty() && s.breaks.empty())
    std::fprintf(stderr, "slotlab: trace: no output asked for (--calls, --chrome-trace FILE, --events-jsonl FILE or "
                         "--break SPEC); running to the end for the summary only\n");
  engine::EngineConfig cfg = s.cfg;
  cfg.time_travel = false;  // an export needs no reverse execution
  engine::Engine e(cfg);
  e.load_kernel(s.kernel);
  FileSink* serial_file = nullptr;
  if (s.serial.empty()) {
    e.set_serial_sink(std::make_unique<NullSink>());
  } else if (s.serial == "-") {
    e.set_serial_sink(std::make_unique<StdoutSink>());
  } else {
    auto sink = std::make_unique<FileSink>(s.serial);
    serial_file = sink.get();
    e.set_serial_sink(std::move(sink));
  }

  // Stop points: every hit is reported (the first kMaxReported per point)
  // and counted; the run goes on.
  constexpr uint64_t kMaxReported = 20;
  struct Break { std::string spec; uint64_t hits = 0; };
  std::map<int, Break> breaks;
  // A module's symbols are known once the guest has announced the module
  // (annotation port): until then sym:MODULE:NAME is pending, and a catch on
  // module announcements retries it, as gdb does with pending breakpoints.
  std::vector<std::string> pending;
  for (const std::string& b : s.breaks) {
    int id = 0;
    const std::string err = engine::add_breakpoint(e, b, &id);
    const bool module_sym = engine::lowercase(b.substr(0, 4)) == "sym:" && b.find(':', 4) != std::string::npos;
    if (err.empty()) breaks[id].spec = b;
    else if (module_sym && err.rfind("unknown symbol", 0) == 0) pending.push_back(b);
    else throw std::invalid_argument("--break " + b + ": " + err);
  }
  int module_catch = pending.empty() ? 0 : e.add_point(engine::StopPoint::on(engine::EventKind::Module));
  const auto retry_pending = [&] {
    for (size_t i = 0; i < pending.size();) {
      int id = 0;
      if (engine::add_breakpoint(e, pending[i], &id).empty()) {
        breaks[id].spec = pending[i];
        pending.erase(pending.begin() + long(i));
      } else {
        ++i;
      }
    }
    if (pending.empty() && module_catch) e.remove_point(module_catch), module_catch = 0;
  };

  // Long runs show progress when standard error is a terminal.
  const bool tty = isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t limit = s.max_insns ? s.max_insns : ~0ull;
  engine::StopInfo stop;
  // Ctrl-C: the run pauses at the next slice, the exports below are written
  // from what was recorded, and the command exits 130.
  StopOnSignal on_ctrl_c([](void* eng) { static_cast<engine::Engine*>(eng)->pause(); }, &e);
  for (;;) {
    const uint64_t left = limit - e.icount();
    stop = e.cont(tty ? std::min<uint64_t>(left, 20'000'000) : left);
    if (stop.reason == engine::StopReason::Point && stop.point == module_catch) {
      retry_pending();
      if (e.icount() < limit) continue;
    } else if (stop.reason == engine::StopReason::Point) {
      Break& b = breaks[stop.point];
      if (++b.hits <= kMaxReported)
        std::fprintf(stderr, "%sslotlab: --break %s: hit %llu at instruction %llu, RIP=%#llx%s\n", tty ? "\r" : "",
                     b.spec.c_str(), (unsigned long long)b.hits, (unsigned long long)stop.icount,
                     (unsigned long long)stop.rip, b.hits == kMaxReported ? " (further hits are only counted)" : "");
      if (e.icount() < limit) continue;
    }
    if (tty) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\r  %.1f M instructions   %.1f MIPS   %zu calls   ", e.icount() / 1e6,
                   secs > 0 ? e.icount() / secs / 1e6 : 0.0, e.calls().size());
    }
    if (StopOnSignal::interrupted()) break;
    if (stop.reason != engine::StopReason::Limit || e.icount() >= limit || !stop.message.empty()) break;
  }
  const bool interrupted = StopOnSignal::interrupted();
  if (tty) std::fprintf(stderr, "\n");
  for (const auto& [id, b] : breaks)
    std::fprintf(stderr, "slotlab: --break %s: %llu hit%s\n", b.spec.c_str(), (unsigned long long)b.hits,
                 b.hits == 1 ? "" : "s");
  for (const std::string& b : pending)
    std::fprintf(stderr, "slotlab: --break %s: never set (the guest announced no such module symbol)\n", b.c_str());
  e.machine().board().flush();

  std::vector<std::string> errors;
  if (serial_file)
    if (std::string err = serial_file->commit(); !err.empty()) errors.push_back(err);
  if (s.calls) engine::write_call_tree(e, stdout);
  const std::string calls = std::to_string(e.calls().size()) + " calls";
  if (!s.chrome.empty())
    if (std::string err = export_to(s.chrome, "--chrome-trace", calls, [&](std::FILE* f) { engine::write_chrome_trace(e, f); });
        !err.empty())
      errors.push_back(err);
  if (!s.jsonl.empty())
    if (std::string err = export_to(s.jsonl, "--events-jsonl", std::to_string(e.events().size()) + " events",
                                    [&](std::FILE* f) { engine::write_events_jsonl(e, f); });
        !err.empty())
      errors.push_back(err);
  std::fflush(stdout);
  for (const std::string& err : errors) std::fprintf(stderr, "slotlab: %s\n", err.c_str());
  if (interrupted) {
    std::fprintf(stderr, "slotlab: interrupted after %llu instructions (%zu calls recorded)\n",
                 (unsigned long long)e.icount(), e.calls().size());
    return kExitInterrupted;
  }
  if (!errors.empty()) return 1;
  switch (stop.reason) {
    case engine::StopReason::GuestExit: return int(stop.exit_status & 0xFF);
    case engine::StopReason::Shutdown:
      std::fprintf(stderr, "slotlab: machine shut down after %llu instructions: %s\n",
                   (unsigned long long)stop.icount, stop.message.c_str());
      return 0;
    case engine::StopReason::Limit:
      if (!stop.message.empty()) std::fprintf(stderr, "slotlab: %s\n", stop.message.c_str());  // history limit
      else std::fprintf(stderr, "slotlab: stopped at the instruction limit (--max-insns %llu)\n",
                        (unsigned long long)s.max_insns);
      return kExitInsnLimit;
    default: return kExitBadInput;
  }
}

}  // namespace

CommandAction bind_trace(CLI::App& cmd) { return bind_state<TraceState>(cmd, bind_trace_options, run_trace); }

}  // namespace slot::emu
