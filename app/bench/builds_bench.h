// `slotlab bench builds`: two or more builds of slotlab (or any programs)
// timed on one command line, round-robin, for comparing a change with what
// it changes. This host runs for minutes at a time at one of two speeds,
// and a run right after another build's is measurably slower or faster, so
// no build may always go first: each round runs every build once, in an
// order rotated by one each round. Each run's CPU time (user + system) is
// its child's; medians, and the median of per-round ratios to the first
// build, which cancels what a round shares (the host's state at the time).
//
// And each build runs from several copies of its file (--copies, default 4):
// on this kind of host one file of a program can run a memory-heavy loop up
// to a third slower or faster than a byte-identical copy of it, the same in
// every run (most likely because where the page cache put the program's
// code decides which of its lines compete for cache sets with the data), so
// one file per build measures its placement as much as its code. Copy k is
// made next to the build (its sibling files stay reachable), used for n
// rounds in turn (n builds: every order of the rotation once), and removed
// at the end; the report gives each copy's median too.
#pragma once
#include <string>
#include <vector>

namespace slot::bench {

struct BuildsOptions {
  std::vector<std::string> builds;  // programs, the first is the reference
  std::vector<std::string> args;    // the command line each is given
  unsigned runs = 11;               // rounds
  unsigned copies = 4;              // files per build (1: the build's own file)
  double timeout_s = 600;
};

// Which copy of each build round r runs: n rounds per copy, in turn.
unsigned copy_of_round(unsigned round, unsigned builds, unsigned copies);
// The median of each copy's runs (per_round[r]: round r's time).
std::vector<double> copy_medians(const std::vector<double>& per_round, unsigned builds, unsigned copies);

// Round r's order: builds r mod n, r+1 mod n, ... (each leads once in n rounds).
std::vector<unsigned> round_order(unsigned builds, unsigned round);

struct BuildSummary {
  std::string build;
  std::vector<double> cpu;     // per round
  double median = 0, min = 0, max = 0;
  double ratio_of_medians = 0;  // median / the first build's median
  double median_ratio = 0;      // median over rounds of cpu / the first build's cpu in that round
  std::vector<double> copies;   // copy_medians(cpu, ...), when there are several
};
// cpu[b][r]: build b's CPU seconds in round r.
std::vector<BuildSummary> summarize(const std::vector<std::string>& builds, const std::vector<std::vector<double>>& cpu,
                                    unsigned copies = 1);
// The report: what was run, the load averages, one table row per build.
std::string render_builds(const BuildsOptions& o, const std::vector<BuildSummary>& s, const std::string& load_start,
                          const std::string& load_end, const std::vector<std::string>& notes);

// Runs the comparison, prints progress to stderr and the report to stdout.
// 0 when every run exited normally with the same status, 1 otherwise.
int run_builds_bench(const BuildsOptions& o);

}  // namespace slot::bench
