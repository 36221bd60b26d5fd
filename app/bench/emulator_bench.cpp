#include "app/bench/emulator_bench.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "app/bench/analysis.h"
#include "app/bench/file_copies.h"
#include "app/bench/plot.h"
#include "app/bench/profile.h"
#include "app/bench/recording.h"
#include "app/bench/report.h"
#include "app/bench/host_info.h"
#include "app/bench/runner.h"
#include "app/bench/workloads.h"

namespace slot::bench {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

void collect_meta(Recording& r, const EmulatorBenchOptions& o, const Tools& t, unsigned runs) {
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  r.set("date", date);
  const std::string commit = source_commit();
  r.set("commit", commit);
  r.set("host", host_model());
  r.set("cores", std::to_string(sysconf(_SC_NPROCESSORS_ONLN)));
  r.set("loadavg", loadavg());
  r.set("qemu_version", first_line(run_process({o.qemu, "--version"}, 30).transcript));
  r.set("bochs", t.bochs.empty() ? "not installed (Debian: bochs bochsbios vgabios grub-pc-bin xorriso mtools)"
                                 : "Bochs 2.7 (" + t.bochs + "), booted from a GRUB rescue ISO");
  r.set("runs", std::to_string(runs));
  r.set("quick", o.quick ? "1" : "0");
  r.set("command", o.command);
}

std::string clock_text(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%d:%02d", int(s) / 60, int(s) % 60);
  return b;
}

// The measurement proper: every run visits every (workload, engine) once, so
// a slow spell of the host spreads over all cells instead of one.
void measure_all(Recording& rec, const std::vector<Workload>& ws, unsigned runs, const Tools& tools) {
  unsigned total = 0, done = 0;
  for (const Workload& w : ws) total += unsigned(w.engines.size()) * runs;
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned run = 0; run < runs; ++run)
    for (const Workload& w : ws)
      for (Engine e : w.engines) {
        const Sample s = measure(w, e, run, tools);
        rec.samples.push_back(s);
        ++done;
        const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        char mips[32] = "";
        if (s.icount && s.wall_s > 0) std::snprintf(mips, sizeof mips, "%7.1f MIPS", s.icount / s.wall_s / 1e6);
        std::fprintf(stderr, "[%3u/%u] run %u/%u  %-14s %-18s %8.3f s %12s  %s   (%s elapsed, ~%s left)\n", done,
                     total, run + 1, runs, w.id.c_str(), engine_name(e), s.wall_s, mips,
                     s.ok ? "ok" : ("FAILED: " + s.note).c_str(), clock_text(el).c_str(),
                     clock_text(el / done * (total - done)).c_str());
      }
}

// `text` with absolute paths under the current directory made relative
// ("build/slotlab" rather than "/home/.../build/slotlab"), for the report.
std::string relative_paths(std::string text) {
  std::error_code ec;
  const std::string cwd = fs::current_path(ec).string() + "/";
  if (ec || cwd == "/") return text;
  for (size_t p; (p = text.find(cwd)) != std::string::npos;) text.erase(p, cwd.size());
  return text;
}

// Profiles slotlab on the workload behind every missed target (once each).
void profile_misses(Recording& rec, const std::vector<Workload>& ws, const Tools& tools) {
  const bool use_perf = perf_works();
  std::vector<std::string> done;
  for (const TargetCheck& t : check_targets(analyse(rec))) {
    if (!t.evaluated || t.met || t.profile_workload.empty()) continue;
    bool seen = false;
    for (const std::string& d : done) seen |= d == t.profile_workload;
    const Workload* w = find_workload(ws, t.profile_workload);
    if (seen || !w) continue;
    done.push_back(t.profile_workload);
    std::string cmd = w->cmdline_slotlab;
    // callgrind runs ~50x slower: a tenth of the loop is plenty for a flat profile.
    if (!use_perf && w->kind == Kind::Loop) {
      const size_t p = cmd.find("iters=");
      const size_t e = cmd.find(' ', p);
      const uint64_t n = std::stoull(cmd.substr(p + 6, e == std::string::npos ? e : e - p - 6));
      cmd.replace(p, e == std::string::npos ? e : e - p, "iters=" + std::to_string(n / 10));
    }
    std::fprintf(stderr, "profiling %s with %s ...\n", w->id.c_str(), use_perf ? "perf" : "callgrind");
    const Profile p = profile({tools.slotlab, "run", w->image, "--cmdline", cmd}, 14, use_perf);
    if (!p.ok) {
      std::fprintf(stderr, "  no profile: %s\n", p.error.c_str());
      continue;
    }
    rec.set("profile:" + w->id, p.text);
    rec.set("profile_command:" + w->id, relative_paths(p.command));
  }
}

bool trace_supported(const std::string& slotlab) {
  const RunResult r = run_process({slotlab, "run", "--help"}, 30);
  return r.transcript.find("--trace ") != std::string::npos;
}

}  // namespace

int run_emulator_bench(const EmulatorBenchOptions& o) {
  std::string build = o.build_dir;
  if (build.empty()) build = fs::read_symlink("/proc/self/exe").parent_path().string();
  Tools tools;
  tools.qemu = o.qemu;
  tools.slotlab = build + "/slotlab";
  // Bochs where it is installed (Debian: bochs bochsbios vgabios grub-pc-bin
  // xorriso mtools); the report says when it is not.
  if (!find_program("bochs").empty() && !find_program("grub-mkrescue").empty() &&
      fs::exists("/usr/share/bochs/BIOS-bochs-latest"))
    tools.bochs = find_program("bochs"), tools.grub_mkrescue = find_program("grub-mkrescue");

  Recording rec;
  std::vector<Workload> ws;
  if (!o.from.empty()) {
    rec = from_tsv(read_file(o.from));
  } else {
    PlanOptions po;
    po.build_dir = build;
    po.quick = o.quick;
    po.only = o.only;
    po.trace = o.trace == 1 || (o.trace == -1 && trace_supported(tools.slotlab));
    po.bochs = !tools.bochs.empty();
    ws = emulator_workloads(po);
    if (ws.empty()) {
      std::fprintf(stderr, "slotlab bench: no workload matches --only\n");
      return 2;
    }
    for (const Workload& w : ws)
      if (!fs::exists(w.image)) {
        std::fprintf(stderr, "slotlab bench: missing image %s (build the targets perf_kernels and slotlab-guest)\n",
                     w.image.c_str());
        return 2;
      }
    const unsigned runs = o.runs ? o.runs : o.quick ? 3 : 5;
    collect_meta(rec, o, tools, runs);
    if (rec.get("qemu_version").empty()) {
      std::fprintf(stderr, "slotlab bench: cannot run %s\n", o.qemu.c_str());
      return 2;
    }
    describe_workloads(rec, ws);
    // One copy of slotlab per run: its speed depends on where its file's
    // pages lie, and the median should span placements, not repeat one. (A
    // build directory that cannot take the copies costs that, not the run.)
    std::unique_ptr<FileCopies> copies;
    try {
      copies = std::make_unique<FileCopies>(std::vector<std::string>{tools.slotlab}, runs);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "slotlab bench: %s; slotlab runs from its own file\n", e.what());
    }
    if (copies)
      for (unsigned k = 0; k < copies->copies(); ++k) tools.slotlab_runs.push_back(copies->file(0, k));
    if (runs > 1 && copies) rec.set("slotlab_copies", std::to_string(runs));
    std::fprintf(stderr, "slotlab bench emulator: %zu workloads x engines, %u runs, %s\n", ws.size(), runs,
                 rec.get("qemu_version").c_str());
    measure_all(rec, ws, runs, tools);
    tools.slotlab_runs.clear();  // (the copies go with this scope)
    rec.set("loadavg_end", loadavg());
    if (o.profile) profile_misses(rec, ws, tools);
  }
  const std::string raw = !o.raw.empty() ? o.raw : o.from.empty() ? build + "/bench-emulator.tsv" : "";
  if (!raw.empty()) {
    write_file(raw, to_tsv(rec));
    std::fprintf(stderr, "recording: %s\n", raw.c_str());
  }
  if (!o.write.empty()) {
    const fs::path doc(o.write);
    const fs::path png = doc.parent_path() / "img" / "emulator-speed.png";
    std::error_code ec;
    fs::create_directories(png.parent_path(), ec);
    std::string err;
    if (plot_mips(analyse(rec), workloads_of(rec), png.string(), err)) rec.set("plot", "img/emulator-speed.png");
    else std::fprintf(stderr, "no plot: %s\n", err.c_str());
    const std::string old = fs::exists(doc) ? read_file(o.write) : "";
    write_file(o.write, splice_section(old, render_section(rec)));
    std::fprintf(stderr, "wrote %s\n", o.write.c_str());
  }
  const std::string section = render_section(rec);
  std::fwrite(section.data(), 1, section.size(), stdout);
  for (const Sample& s : rec.samples)
    if (!s.ok) return 1;
  return 0;
}

}  // namespace slot::bench
