#include "app/bench/runner.h"

#include "app/bench/host_info.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "app/bench/transcript.h"
#include "emu/engine/engine.h"
#include "emu/engine/point_spec.h"
#include "emu/machine/machine.h"

namespace slot::bench {

namespace {

using Clock = std::chrono::steady_clock;

std::string slurp(const std::string& path, size_t max = std::string::npos) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  std::string out = s.str();
  if (out.size() > max) out.resize(max);
  return out;
}

// A temporary file, removed on destruction.
struct TempFile {
  std::string path;
  int fd = -1;
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/slotlab-bench-XXXXXX";
    fd = mkstemp(path.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + path);
  }
  ~TempFile() {
    if (fd >= 0) close(fd);
    unlink(path.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

}  // namespace

RunResult run_machine(const std::string& image, const std::string& cmdline, const std::string& tlb,
                      uint64_t max_insns) {
  RunResult r;
  const auto t0 = Clock::now();
  try {
    emu::MachineConfig cfg;
    cfg.tlb = tlb;
    cfg.cmdline = cmdline;
    emu::Machine m(cfg);
    m.load_kernel(image);
    auto sink = std::make_unique<emu::StringSink>();
    emu::StringSink* text = sink.get();
    m.board().set_serial_sink(std::move(sink));
    const emu::RunExit x = m.run(max_insns);
    m.board().flush();
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    r.icount = m.icount();
    r.transcript = text->text();
    switch (x) {
      case emu::RunExit::DebugExit: r.status = int(m.exit_status() & 0xFF); break;
      case emu::RunExit::Shutdown: r.status = 0; r.error = "shutdown: " + m.shutdown_report(); break;
      case emu::RunExit::InsnLimit: r.error = "instruction limit reached"; break;
      case emu::RunExit::Stopped: r.error = "stopped"; break;
    }
  } catch (const std::exception& e) {
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    r.error = e.what();
  }
  return r;
}

RunResult run_engine(const std::string& image, const std::string& cmdline, const std::string& break_at,
                     uint64_t max_insns) {
  RunResult r;
  const auto t0 = Clock::now();
  try {
    engine::EngineConfig cfg;
    cfg.machine.cmdline = cmdline;
    engine::Engine e(cfg);
    e.load_kernel(image);
    auto sink = std::make_unique<emu::StringSink>();
    emu::StringSink* text = sink.get();
    e.set_serial_sink(std::move(sink));
    if (const std::string err = engine::add_breakpoint(e, break_at); !err.empty())
      throw std::runtime_error("breakpoint " + break_at + ": " + err);
    const engine::StopInfo s = e.cont(max_insns);
    e.machine().board().flush();
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    r.icount = e.icount();
    r.transcript = text->text();
    if (s.reason == engine::StopReason::GuestExit) r.status = int(s.exit_status & 0xFF);
    else r.error = std::string("stopped: ") + engine::stop_reason_name(s.reason) + " " + s.message;
  } catch (const std::exception& e) {
    r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
    r.error = e.what();
  }
  return r;
}

RunResult run_process(const std::vector<std::string>& argv, double timeout_s) {
  RunResult r;
  if (argv.empty()) throw std::invalid_argument("run_process: empty command");
  TempFile out, err;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out.fd, 1);
    dup2(err.fd, 2);
    execvp(args[0], args.data());
    std::fprintf(stderr, "cannot run %s\n", args[0]);
    _exit(127);
  }
  // A watchdog kills the child at the deadline; the parent waits blocking,
  // so the measured time has no polling granularity.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false, killed = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, std::chrono::duration<double>(timeout_s), [&] { return done; })) {
      killed = true;
      kill(pid, SIGKILL);
    }
  });
  int ws = 0;
  rusage ru{};
  while (wait4(pid, &ws, 0, &ru) < 0) {
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.cpu_s = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  watchdog.join();

  r.transcript = slurp(out.path);
  r.errors = slurp(err.path, 4096);
  if (WIFEXITED(ws)) r.status = WEXITSTATUS(ws);
  if (killed) r.error = "killed after " + std::to_string(int(timeout_s)) + " s";
  else if (!WIFEXITED(ws)) r.error = "terminated by signal " + std::to_string(WTERMSIG(ws));
  else if (r.status == 127) r.error = slurp(err.path, 300);
  if (r.error.empty() && r.status != 33 && r.status != 1) r.error = slurp(err.path, 300);
  return r;
}

std::vector<std::string> qemu_argv(const std::string& qemu, const std::string& image, const std::string& cmdline) {
  return {qemu,     "-cpu",  "max",      "-m",      "256",        "-display",
          "none",   "-monitor", "none",  "-serial", "stdio",      "-no-reboot",
          "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", image, "-append", cmdline};
}

std::vector<std::string> slotlab_trace_argv(const std::string& slotlab, const std::string& image,
                                            const std::string& cmdline) {
  // Every record category, written in full to /dev/null: the cost of
  // observing and formatting, without the disk.
  return {slotlab, "run", image, "--cmdline", cmdline, "--trace", "all", "--trace-out", "/dev/null",
          "--trace-format", "jsonl", "--trace-max-bytes", "1000G"};
}

std::vector<std::string> slotlab_argv(const std::string& slotlab, Engine e, const std::string& image,
                                      const std::string& cmdline, const std::string& break_at,
                                      const std::string& stats_json) {
  if (e == Engine::SlotlabBreak)
    return {slotlab, "trace", image, "--cmdline", cmdline, "--serial", "-", "--break", break_at};
  std::vector<std::string> a = {slotlab, "run", image, "--cmdline", cmdline, "--stats-json", stats_json};
  if (e == Engine::SlotlabNoTlb) a.insert(a.end(), {"--tlb", "none"});
  return a;
}

uint64_t stats_instructions(const std::string& json) {
  const std::string key = "\"instructions\":";
  const size_t p = json.find(key);
  return p == std::string::npos ? 0 : std::strtoull(json.c_str() + p + key.size(), nullptr, 10);
}

void judge(const Workload& w, const RunResult& r, Sample& s) {
  s.wall_s = r.wall_s;
  s.icount = r.icount;
  s.status = r.status;
  s.ok = false;
  s.note = r.error;
  if (w.guest) {
    const GuestBench g = parse_guest_bench(r.transcript);
    if (!g.done) s.note = "no DONE line" + (r.error.empty() ? "" : ": " + r.error);
    else if (g.failures) s.note = std::to_string(g.failures) + " RESULT lines say FAIL";
    else if (g.results == 0 && w.kind == Kind::Guest) s.note = "no RESULT lines";
    else if (r.status != kNoExitStatus && r.status != debug_exit_status(0))
      s.note = "exit status " + std::to_string(r.status);
    else s.ok = true;
    return;
  }
  const auto p = parse_perf_line(r.transcript);
  unsigned failed = 0;
  if (!parse_summary(r.transcript, failed)) s.note = "no summary line" + (r.error.empty() ? "" : ": " + r.error);
  else if (failed) s.note = std::to_string(failed) + " self-checks failed";
  else if (!p) s.note = "no perf result line";
  else if (r.status != kNoExitStatus && r.status != debug_exit_status(0x10))
    s.note = "exit status " + std::to_string(r.status);
  else {
    s.ok = true;
    s.loop_insns = p->loop_insns;
    s.checksum = p->checksum;
  }
}

Sample measure(const Workload& w, Engine e, unsigned run, const Tools& t) {
  Sample s;
  s.workload = w.id;
  s.engine = e;
  s.run = run;
  const std::string& cmd = w.cmdline(e);
  RunResult r;
  // Every engine runs as a process, so each row's wall time includes its own
  // start-up, which the report subtracts with the same image's idle run.
  TempFile stats;
  const std::string& slotlab = t.slotlab_runs.empty() ? t.slotlab : t.slotlab_runs[run % t.slotlab_runs.size()];
  switch (e) {
    case Engine::Qemu: r = run_process(qemu_argv(t.qemu, w.image, cmd), t.timeout_s); break;
    case Engine::SlotlabTrace: r = run_process(slotlab_trace_argv(slotlab, w.image, cmd), t.timeout_s); break;
    case Engine::Bochs:  // the perf kernels' last line is their summary, the guest's DONE
      r = run_bochs(t, w.image, cmd, w.guest ? "DONE" : "summary:");
      break;
    case Engine::Slotlab:
    case Engine::SlotlabNoTlb:
    case Engine::SlotlabBreak:
      r = run_process(slotlab_argv(slotlab, e, w.image, cmd, w.break_at, stats.path), t.timeout_s);
      r.icount = stats_instructions(slurp(stats.path));
      break;
  }
  judge(w, r, s);
  // The debugger row must run with its stop point armed and never reach it.
  if (e == Engine::SlotlabBreak && s.ok && r.errors.find(": 0 hits") == std::string::npos) {
    s.ok = false;
    s.note = "the stop point " + w.break_at + " was not armed or was reached: " + first_line(r.errors);
  }
  return s;
}

}  // namespace slot::bench
