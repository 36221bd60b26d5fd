// Running one image once and timing it: in this process on a Machine, or as
// a child process (QEMU, `slotlab run --trace`) with its standard output
// captured. measure() runs a workload on an engine and judges the transcript.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "app/bench/recording.h"
#include "app/bench/workloads.h"

namespace slot::bench {

struct RunResult {
  double wall_s = 0;
  double cpu_s = 0;        // processes: the child's user + system time
  uint64_t icount = 0;     // in-process runs only
  int status = -1;         // exit status; -1 = did not exit normally (signal, timeout, error)
  std::string transcript;  // COM1 output
  std::string error;       // why it did not finish (stderr excerpt, exception text)
  std::string errors;      // processes: the first 4 KiB of standard error
};

// Machine construction, kernel load and run to the guest's exit, timed
// together. `max_insns` guards against a guest that never exits.
RunResult run_machine(const std::string& image, const std::string& cmdline, const std::string& tlb,
                      uint64_t max_insns);
// The same on the debugger engine with time travel on (its defaults) and the
// stop point `break_at` set; a run that stops there is an error.
RunResult run_engine(const std::string& image, const std::string& cmdline, const std::string& break_at,
                     uint64_t max_insns);
// fork + exec with stdin from /dev/null and stdout captured; killed (SIGKILL)
// after `timeout_s`. The wall time runs from fork to the child's exit; the
// CPU time is the child's (and its waited-for children's) user + system.
RunResult run_process(const std::vector<std::string>& argv, double timeout_s);

// QEMU as the boot tests run it (tests/boot/README.md), TCG with -cpu max.
std::vector<std::string> qemu_argv(const std::string& qemu, const std::string& image, const std::string& cmdline);
std::vector<std::string> slotlab_trace_argv(const std::string& slotlab, const std::string& image,
                                            const std::string& cmdline);
// slotlab as a process, like QEMU, for Engine::Slotlab (`run`), SlotlabNoTlb
// (`run --tlb none`) and SlotlabBreak (`trace --break`: the debugger engine,
// time travel on, the stop point armed); `stats_json` receives the run's
// statistics (instruction count) where the command writes them.
std::vector<std::string> slotlab_argv(const std::string& slotlab, Engine e, const std::string& image,
                                      const std::string& cmdline, const std::string& break_at,
                                      const std::string& stats_json);
// Reads "instructions" from a --stats-json file (0 if absent).
uint64_t stats_instructions(const std::string& json);

struct Tools {
  std::string qemu;     // qemu-system-x86_64
  std::string slotlab;  // build/slotlab (profiles, probes; runs use slotlab_runs when set)
  // Copies of slotlab, run r using slotlab_runs[r % size] (empty: slotlab
  // itself), so the medians span several placements of its file (file_copies.h).
  std::vector<std::string> slotlab_runs;
  std::string bochs, grub_mkrescue;  // "" = not installed
  double timeout_s = 600;
};

// Bochs has no isa-debug-exit: a run ends at the kernel's last serial line,
// and the status is unknown (judge() then checks the transcript alone).
inline constexpr int kNoExitStatus = -2;
// Boots `image` with `cmdline` in Bochs from a GRUB rescue ISO (made first,
// not timed), COM1 to a file, and stops it when a line starting with
// `last_line` is complete; the wall time runs from start to that line.
RunResult run_bochs(const Tools& t, const std::string& image, const std::string& cmdline,
                    const std::string& last_line);
// The directory of `name` on PATH's executables, "" if absent.
std::string find_program(const std::string& name);

// Runs `w` once on `e` and checks the transcript: perf kernels must exit 33
// with a summary line of 0 failures and a perf line; the guest benchmark must
// print DONE with no FAIL result and exit 1 (isa-debug-exit value 0).
Sample measure(const Workload& w, Engine e, unsigned run, const Tools& t);
// The judgement alone, for recorded transcripts (tests).
void judge(const Workload& w, const RunResult& r, Sample& s);

}  // namespace slot::bench
