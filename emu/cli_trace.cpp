// `slotlab trace`: run to the end on the debugger engine, then export.
#include "emu/cli_command.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "emu/engine/export.h"

namespace slot::emu {

namespace {
constexpr int kExitBadInput = 2, kExitInsnLimit = 4;

class NullSink final : public SerialSink {
 public:
  void put(uint8_t) override {}
};

std::FILE* open_out(const std::string& path) {
  if (path == "-") return stdout;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  return f;
}
void close_out(std::FILE* f) {
  if (f != stdout) std::fclose(f);
}
}  // namespace

template <>
struct TraceCommand::State {
  CLI::App* cmd = nullptr;
  std::string kernel, serial, chrome, jsonl;
  engine::EngineConfig cfg;
  uint64_t max_insns = 0;
  bool calls = false;
};

template <>
TraceCommand::Subcommand(CLI::App& app) : st_(std::make_unique<State>()) {
  State& s = *st_;
  s.cmd = app.add_subcommand("trace", "run a kernel on the debugger engine and export its cross-module calls "
                                      "(call tree, Chrome/Perfetto trace, event lines)");
  s.cmd->add_option("kernel", s.kernel, "multiboot-1 kernel image")->required();
  s.cmd->add_option("--cmdline", s.cfg.machine.cmdline, "multiboot command line passed to the kernel");
  s.cmd->add_option("--mem", s.cfg.machine.ram_mib, "guest RAM in MiB")->default_val(256)->check(CLI::Range(2, 65536));
  s.cmd->add_option("--tlb", s.cfg.machine.tlb, "TLB model: skylake, icelake, tiny, none, or a description file")
      ->default_val("skylake");
  s.cmd->add_option("--max-insns", s.max_insns, "stop after this many instructions (0 = no limit)")->default_val(0);
  s.cmd->add_option("--serial", s.serial, "write COM1 output to FILE ('-' = stdout; default: discarded)");
  s.cmd->add_flag("--calls", s.calls, "print the call tree (per call: task, caller -> callee, op, costs)");
  s.cmd->add_option("--chrome-trace", s.chrome, "write Chrome trace-event JSON (Perfetto, chrome://tracing)");
  s.cmd->add_option("--events-jsonl", s.jsonl, "write every engine event, one JSON object per line");
}

template <>
TraceCommand::~Subcommand() = default;
template <>
bool TraceCommand::chosen() const { return bool(*st_->cmd); }

template <>
int TraceCommand::run() const {
  const State& s = *st_;
  engine::EngineConfig cfg = s.cfg;
  cfg.time_travel = false;  // an export needs no reverse execution
  engine::Engine e(cfg);
  e.load_kernel(s.kernel);
  if (s.serial.empty()) e.set_serial_sink(std::make_unique<NullSink>());
  else if (s.serial == "-") e.set_serial_sink(std::make_unique<StdoutSink>());
  else e.set_serial_sink(std::make_unique<FileSink>(s.serial));

  // Long runs show progress when standard error is a terminal.
  const bool tty = isatty(2);
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t limit = s.max_insns ? s.max_insns : ~0ull;
  engine::StopInfo stop;
  for (;;) {
    const uint64_t left = limit - e.icount();
    stop = e.cont(tty ? std::min<uint64_t>(left, 20'000'000) : left);
    if (tty) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "\r  %.1f M instructions   %.1f MIPS   %zu calls   ", e.icount() / 1e6,
                   secs > 0 ? e.icount() / secs / 1e6 : 0.0, e.calls().size());
    }
    if (stop.reason != engine::StopReason::Limit || e.icount() >= limit || !stop.message.empty()) break;
  }
  if (tty) std::fprintf(stderr, "\n");
  e.machine().board().flush();

  if (s.calls) engine::write_call_tree(e, stdout);
  if (!s.chrome.empty()) {
    std::FILE* f = open_out(s.chrome);
    engine::write_chrome_trace(e, f);
    close_out(f);
  }
  if (!s.jsonl.empty()) {
    std::FILE* f = open_out(s.jsonl);
    engine::write_events_jsonl(e, f);
    close_out(f);
  }
  std::fflush(stdout);
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

}  // namespace slot::emu
