#include "app/bench/builds_bench.h"

#include <fmt/format.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "app/bench/file_copies.h"
#include "app/bench/host_info.h"
#include "app/bench/runner.h"
#include "app/bench/stats.h"

namespace slot::bench {

std::vector<unsigned> round_order(unsigned builds, unsigned round) {
  std::vector<unsigned> order;
  for (unsigned i = 0; i < builds; ++i) order.push_back((round + i) % builds);
  return order;
}

unsigned copy_of_round(unsigned round, unsigned builds, unsigned copies) {
  return builds && copies ? (round / builds) % copies : 0;
}

std::vector<double> copy_medians(const std::vector<double>& per_round, unsigned builds, unsigned copies) {
  std::vector<std::vector<double>> each(copies);
  for (size_t r = 0; r < per_round.size(); ++r)
    each[copy_of_round(unsigned(r), builds, copies)].push_back(per_round[r]);
  std::vector<double> out;
  for (const auto& runs : each)
    if (!runs.empty()) out.push_back(median(runs));
  return out;
}

std::vector<BuildSummary> summarize(const std::vector<std::string>& builds,
                                    const std::vector<std::vector<double>>& cpu, unsigned copies) {
  if (builds.size() != cpu.size()) throw std::invalid_argument("summarize: one row of times per build");
  std::vector<BuildSummary> out;
  for (size_t b = 0; b < builds.size(); ++b) {
    BuildSummary s;
    s.build = builds[b];
    s.cpu = cpu[b];
    s.median = median(s.cpu);
    s.min = min_of(s.cpu);
    s.max = max_of(s.cpu);
    s.ratio_of_medians = s.median / median(cpu[0]);
    std::vector<double> ratios;
    for (size_t r = 0; r < s.cpu.size() && r < cpu[0].size(); ++r)
      if (cpu[0][r] > 0) ratios.push_back(s.cpu[r] / cpu[0][r]);
    s.median_ratio = median(ratios);
    if (copies > 1) s.copies = copy_medians(s.cpu, unsigned(builds.size()), copies);
    out.push_back(std::move(s));
  }
  return out;
}

namespace {
std::string fixed(double v, int digits) { return fmt::format("{:.{}f}", v, digits); }
std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) {
    const bool plain = !a.empty() && a.find_first_of(" \t'\"\\$`") == std::string::npos;
    if (!s.empty()) s += ' ';
    if (!plain) s += '\'';
    s += a;
    if (!plain) s += '\'';
  }
  return s;
}
}  // namespace

std::string render_builds(const BuildsOptions& o, const std::vector<BuildSummary>& s, const std::string& load_start,
                          const std::string& load_end, const std::vector<std::string>& notes) {
  std::ostringstream m;
  const bool copies = o.copies > 1;
  m << "slotlab bench builds: " << s.size() << " builds x " << o.runs
    << " rounds, order rotated each round; CPU seconds (user + system) of each run\n";
  if (copies)
    m << "each build ran from " << o.copies << " copies of its file made beside it, " << s.size()
      << " rounds per copy in turn\n";
  else
    m << "each build ran from its one file (--copies 1): its time includes where that file's pages lie\n";
  m << "command line: " << joined(o.args) << "\n"
    << "load average " << load_start << " at the start, " << load_end << " at the end\n\n"
    << "| build | median s | min s | max s | median / first's | median of per-round ratios to the first |"
    << (copies ? " median s of each copy |" : "") << "\n"
    << "|---|---:|---:|---:|---:|---:|" << (copies ? "---|" : "") << "\n";
  for (const BuildSummary& b : s) {
    m << "| " << b.build << " | " << fixed(b.median, 3) << " | " << fixed(b.min, 3) << " | " << fixed(b.max, 3)
      << " | " << fixed(b.ratio_of_medians, 3) << " | " << fixed(b.median_ratio, 3) << " |";
    if (copies) {
      for (double c : b.copies) m << " " << fixed(c, 3);
      m << " |";
    }
    m << "\n";
  }
  for (const std::string& n : notes) m << "\nnote: " << n;
  if (!notes.empty()) m << "\n";
  return m.str();
}

int run_builds_bench(const BuildsOptions& o) {
  if (o.builds.size() < 2) throw std::invalid_argument("give at least two builds to compare");
  if (o.runs < 1) throw std::invalid_argument("--runs must be at least 1");
  if (o.copies < 1) throw std::invalid_argument("--copies must be at least 1");
  const unsigned n = unsigned(o.builds.size());
  const std::unique_ptr<FileCopies> copies = [&] {
    try {
      return std::make_unique<FileCopies>(o.builds, o.copies);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string(e.what()) + " (--copies 1 runs each build's own file)");
    }
  }();
  const FileCopies& files = *copies;
  std::vector<std::vector<double>> cpu(n);
  std::vector<std::map<int, unsigned>> statuses(n);  // exit status -> runs
  std::vector<std::string> notes;
  const std::string load_start = loadavg();
  for (unsigned r = 0; r < o.runs; ++r) {
    for (unsigned b : round_order(n, r)) {
      std::vector<std::string> argv{files.file(b, copy_of_round(r, n, o.copies))};
      argv.insert(argv.end(), o.args.begin(), o.args.end());
      const RunResult res = run_process(argv, o.timeout_s);
      cpu[b].push_back(res.cpu_s);
      ++statuses[b][res.status];
      if (res.status == -1 || res.status == 127)
        notes.push_back(o.builds[b] + ", round " + std::to_string(r + 1) + ": " +
                        (res.error.empty() ? "did not run" : first_line(res.error)));
    }
    std::fprintf(stderr, "[%u/%u] round done:", r + 1, o.runs);
    for (unsigned b = 0; b < n; ++b) std::fprintf(stderr, " %.3f", cpu[b].back());
    std::fprintf(stderr, " s\n");
  }
  // The builds must agree on how the command ends (the perf kernels exit 33).
  std::set<int> seen;
  for (const auto& m : statuses)
    for (const auto& [status, count] : m) seen.insert(status);
  bool ok = notes.empty();
  if (seen.size() > 1) {
    ok = false;
    for (unsigned b = 0; b < n; ++b) {
      std::string line = o.builds[b] + " exited with";
      for (const auto& [status, count] : statuses[b])
        line += fmt::format(" {} ({}x)", status, count);
      notes.push_back(line);
    }
  }
  std::fputs(render_builds(o, summarize(o.builds, cpu, o.copies), load_start, loadavg(), notes).c_str(), stdout);
  return ok ? 0 : 1;
}

}  // namespace slot::bench
