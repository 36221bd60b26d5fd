// slotlab-bench: the benchmark and report generator, its own program so the
// product binary does not carry it (it starts QEMU, Bochs and gnuplot).
// `slotlab bench ARGS` runs it (app/cli_bench_forward.cpp). Its commands:
// `emulator`, `design`, `all`, `builds`; see app/bench/emulator_bench.h,
// app/bench/design.h, app/bench/builds_bench.h and docs/performance.md,
// docs/results.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <exception>

#include "app/bench/builds_bench.h"
#include "app/bench/design.h"
#include "app/bench/emulator_bench.h"
#include "app/parse_command_line.h"

namespace slot::emu {
namespace {

struct BenchState {
  CLI::App* emulator = nullptr;
  CLI::App* design = nullptr;
  CLI::App* all = nullptr;
  CLI::App* builds = nullptr;
  bench::BuildsOptions bopt;
  bench::EmulatorBenchOptions opt;
  bool no_trace = false, no_profile = false;
  bench::DesignOptions dopt;
  bool all_quick = false;
  std::string all_write;
  unsigned all_jobs = 2;
};

void design_options(CLI::App& d, bench::DesignOptions& o) {
  d.add_flag("--quick", o.quick, "fewer points, fewer variants of each sweep (well under 2 minutes)");
  d.add_option("--jobs,-j", o.jobs, "boots run in parallel (default 2)")->check(CLI::Range(1, 16));
  d.add_option("--write", o.write, "update the design-cost section of this results file (e.g. docs/results.md); "
                                   "plots go to img/ next to it");
  d.add_option("--only", o.only,
               "kernel variants: modarea/cr3 modarea/invlpg modarea/pcid modarea/none monolithic/cr3 ipc/cr3 ipc/pcid")
      ->delimiter(',');
  d.add_option("--sweep", o.sweeps, "sweeps to run: ws ws2m size clients size-whole unmap null null-general preset-icelake preset-tiny")->delimiter(',');
  d.add_option("--set", o.overrides,
               "override a sweep list, e.g. ws=1..512 (doubling), depths=1-3, sizes=0,64,4K,64K, clients=1-8, calls=32 "
               "(repeatable)");
  d.add_option("--build", o.build_dir, "build directory holding guest/slotlab-guest.elf (default: slotlab's)");
}

std::string design_command(const bench::DesignOptions& o) {
  std::string c = "build/slotlab bench design";
  if (o.quick) c += " --quick";
  for (size_t i = 0; i < o.only.size(); ++i) c += (i ? "," : " --only ") + o.only[i];
  for (size_t i = 0; i < o.sweeps.size(); ++i) c += (i ? "," : " --sweep ") + o.sweeps[i];
  for (const std::string& s : o.overrides) c += " --set " + s;
  if (!o.write.empty()) c += " --write " + o.write;
  return c;
}

void bind_bench(CLI::App& bench, BenchState& s) {
  bench.require_subcommand(1);
  s.emulator = bench.add_subcommand(
      "emulator", "slotlab against qemu-system-x86_64 (TCG) on the perf kernels and the guest's module-call benchmark");
  CLI::App& e = *s.emulator;
  bench::EmulatorBenchOptions& o = s.opt;
  e.add_flag("--quick", o.quick, "small sizes, one guest variant, 3 runs (about a minute)");
  e.add_option("--runs", o.runs, "runs per cell (default 5, 3 with --quick)")->check(CLI::Range(1, 100));
  e.add_option("--write", o.write, "update the emulator-speed section of this results file (e.g. docs/results.md)");
  e.add_option("--raw", o.raw, "save the recorded samples here (default BUILD/bench-emulator.tsv)");
  e.add_option("--from", o.from, "report a saved recording instead of measuring")->check(CLI::ExistingFile);
  e.add_option("--only", o.only, "workloads to run: alu mem tlb modcall-cr3 modcall-invlpg modcall-pcid")
      ->delimiter(',');
  e.add_option("--qemu", o.qemu, "QEMU binary")->default_val("qemu-system-x86_64");
  e.add_option("--build", o.build_dir, "build directory holding the images (default: slotlab's directory)");
  e.add_flag("--no-trace", s.no_trace, "skip the `slotlab run --trace all` engine");
  e.add_flag("--no-profile", s.no_profile, "do not profile slotlab where a target is missed");

  s.design = bench.add_subcommand(
      "design",
      "the module-area design against monolithic and IPC kernels: per-call instructions, TLB misses, walks, stale "
      "translations and modelled cycles from the guest's bench workload on slotlab's TLB model, swept over working "
      "set (4 KiB and 2 MiB pages), call depth, buffer size, client tasks and TLB preset, with the cost model's "
      "sensitivity");
  design_options(*s.design, s.dopt);

  s.all = bench.add_subcommand("all", "`bench emulator` then `bench design`, both sections into one file");
  s.all->add_flag("--quick", s.all_quick, "the --quick run of both");
  s.all->add_option("--write", s.all_write, "results file to update (e.g. docs/results.md)");
  s.all->add_option("--jobs,-j", s.all_jobs, "design boots run in parallel (default 2)")->check(CLI::Range(1, 16));

  s.builds = bench.add_subcommand(
      "builds",
      "two or more builds timed on one command line, round-robin with the order rotated each round, CPU time "
      "medians and per-round ratios to the first build: slotlab bench builds [--runs N] BUILD BUILD... -- ARGS...");
  s.builds->add_option("builds", s.bopt.builds, "the programs to compare (the first is the reference)")
      ->required()
      ->check(CLI::ExistingFile);
  s.builds->add_option("--runs", s.bopt.runs, "rounds (default 11)")->check(CLI::Range(1, 1000));
  s.builds->add_option("--copies", s.bopt.copies,
                       "run each build from this many copies of its file, made beside it and removed after "
                       "(default 4; 1 runs the file itself): a program's speed here depends on where its "
                       "file's pages lie")
      ->check(CLI::Range(1, 64));
  s.builds->add_option("--timeout", s.bopt.timeout_s, "seconds before a run is killed (default 600)")
      ->check(CLI::PositiveNumber);
  s.builds->footer("Everything after -- is the command line every build is given, e.g.\n"
                   "  slotlab bench builds /tmp/slotlab-old build/slotlab -- run "
                   "build/tests/perf/kernels/perf_tlb.elf --cmdline iters=5000000");
}

int run_bench(const BenchState& s) {
  if (*s.builds) return bench::run_builds_bench(s.bopt);
  if (*s.design) {
    bench::DesignOptions d = s.dopt;
    d.command = design_command(d);
    return bench::run_design_bench(d);
  }
  bench::EmulatorBenchOptions o = s.opt;
  if (*s.all) {
    o = bench::EmulatorBenchOptions{};
    o.quick = s.all_quick;
    o.write = s.all_write;
  }
  if (s.no_trace) o.trace = 0;
  o.profile = !s.no_profile;
  // The command as typed, for the report's "to reproduce" line.
  o.command = "build/slotlab bench emulator";
  if (o.quick) o.command += " --quick";
  if (o.runs) o.command += " --runs " + std::to_string(o.runs);
  for (size_t i = 0; i < o.only.size(); ++i) o.command += (i ? "," : " --only ") + o.only[i];
  if (s.no_trace) o.command += " --no-trace";
  if (!o.write.empty()) o.command += " --write " + o.write;
  if (!*s.all) return bench::run_emulator_bench(o);

  const std::string all = std::string("build/slotlab bench all") + (s.all_quick ? " --quick" : "") +
                          (s.all_write.empty() ? "" : " --write " + s.all_write);
  o.command = all;
  const int e = bench::run_emulator_bench(o);
  bench::DesignOptions d;
  d.quick = s.all_quick;
  d.write = s.all_write;
  d.jobs = s.all_jobs;
  d.command = all;
  const int g = bench::run_design_bench(d);
  return std::max(e, g);
}

}  // namespace
}  // namespace slot::emu

int main(int argc, char** argv) {
  using namespace slot::emu;
  CLI::App app{"slotlab bench: slotlab against QEMU and Bochs, and the module-area design against monolithic and "
               "IPC kernels; writes the sections of docs/results.md (docs/performance.md)",
               "slotlab bench"};
  BenchState s;
  bind_bench(app, s);
  // `builds`: what follows -- is the measured command line, not ours to parse.
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--") {
      s.bopt.args.assign(argv + i + 1, argv + argc);
      argc = i;
      break;
    }
  if (const std::optional<int> status = parse_command_line(app, argc, argv, "slotlab bench")) return *status;
  if (!*s.builds && !s.bopt.args.empty()) {
    std::fprintf(stderr, "slotlab bench: -- (a command line to measure) is for `slotlab bench builds` only\n");
    return 2;
  }
  if (*s.builds && s.bopt.args.empty()) {
    std::fprintf(stderr, "slotlab bench builds: give the command line after --, e.g. -- run IMAGE\n");
    return 2;
  }
  try {
    return run_bench(s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "slotlab bench: %s\n", e.what());
    return 2;
  }
}
