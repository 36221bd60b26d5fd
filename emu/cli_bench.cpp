// `slotlab bench emulator [--quick] [--runs N] [--write FILE] ...`: see
// emu/bench/emulator_bench.h and docs/performance.md.
#include "emu/cli_command.h"

#include <CLI/CLI.hpp>

#include "emu/bench/emulator_bench.h"

namespace slot::emu {

template <>
struct BenchCommand::State {
  CLI::App* bench = nullptr;
  CLI::App* emulator = nullptr;
  bench::EmulatorBenchOptions opt;
  bool no_trace = false, no_profile = false;
};

template <>
BenchCommand::Subcommand(CLI::App& app) : st_(std::make_unique<State>()) {
  State& s = *st_;
  s.bench = app.add_subcommand("bench", "benchmarks (docs/performance.md, docs/results.md)");
  s.bench->require_subcommand(1);
  s.emulator = s.bench->add_subcommand(
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
}

template <>
BenchCommand::~Subcommand() = default;

template <>
bool BenchCommand::chosen() const { return bool(*st_->bench); }

template <>
int BenchCommand::run() const {
  State& s = *st_;
  bench::EmulatorBenchOptions o = s.opt;
  if (s.no_trace) o.trace = 0;
  o.profile = !s.no_profile;
  // The command as typed, for the report's "to reproduce" line.
  o.command = "build/slotlab bench emulator";
  if (o.quick) o.command += " --quick";
  if (o.runs) o.command += " --runs " + std::to_string(o.runs);
  for (size_t i = 0; i < o.only.size(); ++i) o.command += (i ? "," : " --only ") + o.only[i];
  if (s.no_trace) o.command += " --no-trace";
  if (!o.write.empty()) o.command += " --write " + o.write;
  return bench::run_emulator_bench(o);
}

}  // namespace slot::emu
