#include "app/bench/plot.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/bench/runner.h"

namespace slot::bench {

std::string mips_plot_script(const std::vector<Cell>& cells, const std::vector<WorkloadInfo>& ws,
                             const std::string& png_path) {
  std::vector<Engine> engines;
  for (Engine e : kEngines)
    for (const Cell& c : cells)
      if (c.engine == e && std::isfinite(c.mips)) {
        engines.push_back(e);
        break;
      }
  std::ostringstream o;
  o << "set terminal pngcairo size 900,480 font 'sans,10'\n"
    << "set output '" << png_path << "'\n"
    << "set title 'Guest MIPS (median; log scale)'\n"
    << "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
    << "set logscale y\nset yrange [0.1:*]\nset ylabel 'million guest instructions per second'\n"
    << "set grid ytics\nset key below horizontal noenhanced\nset xtics noenhanced\n"
    ;
  // The speed floors (analysis.h): a dashed line each, labelled at the right
  // (over the slower workloads' shorter bars), above the line -- below it
  // when another floor is close above, so two labels do not overlap.
  for (const MipsTarget& t : kMipsTargets) {
    bool crowded = false;
    for (const MipsTarget& u : kMipsTargets) crowded |= u.mips > t.mips && u.mips < t.mips * 1.5;
    o << "set arrow from graph 0, first " << t.mips << " to graph 1, first " << t.mips
      << " nohead dashtype 2 linecolor rgb 'red' front\n"
      << "set label '" << t.mips << " MIPS: " << t.what << ", " << t.source << "' at graph 0.99, first "
      << (crowded ? t.mips / 1.2 : t.mips * 1.12) << " right front textcolor rgb 'red'\n";
  }
  o << "$data << EOD\nworkload";
  for (Engine e : engines) o << " \"" << engine_title(e) << "\"";
  o << "\n";
  for (const WorkloadInfo& w : ws) {
    if (w.kind == Kind::Baseline) continue;
    o << "\"" << w.id << "\"";
    for (Engine e : engines) {
      const Cell* c = find_cell(cells, w.id, e);
      o << " " << (c && std::isfinite(c->mips) && c->mips > 0 ? std::to_string(c->mips) : "NaN");
    }
    o << "\n";
  }
  o << "EOD\nplot ";
  for (size_t i = 0; i < engines.size(); ++i)
    o << (i ? ", " : "") << "$data using " << i + 2 << ":xtic(1) title columnheader(" << i + 2 << ")";
  o << "\n";
  return o.str();
}

bool plot_mips(const std::vector<Cell>& cells, const std::vector<WorkloadInfo>& ws, const std::string& png_path,
               std::string& err) {
  const char* dir = std::getenv("TMPDIR");
  const std::string script = std::string(dir && *dir ? dir : "/tmp") + "/slotlab-bench-plot-" +
                             std::to_string(getpid()) + ".gp";
  {
    std::ofstream f(script);
    f << mips_plot_script(cells, ws, png_path);
  }
  const RunResult r = run_process({"gnuplot", script}, 120);
  std::remove(script.c_str());
  if (r.status != 0) {
    err = "gnuplot failed (status " + std::to_string(r.status) + "): " + r.error;
    return false;
  }
  return true;
}

}  // namespace slot::bench
