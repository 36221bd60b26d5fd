// The design-cost plots: modelled cycles per call against the working set
// (4 KiB and 2 MiB pages) and the buffer size, one line per kernel, drawn by
// gnuplot into PNGs.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/bench/design_report.h"
#include "app/bench/runner.h"

namespace slot::bench {

namespace {

struct Line {
  std::string name;
  std::vector<double> y;
};

std::string line_script(const std::string& title, const std::string& xlabel, const std::vector<uint64_t>& xs,
                        const std::vector<Line>& lines, const std::string& png) {
  std::ostringstream o;
  o << "set terminal pngcairo size 900,520 font 'sans,10'\nset output '" << png << "'\n"
    << "set title '" << title << "' noenhanced\nset xlabel '" << xlabel << "'\n"
    << "set ylabel 'modelled cycles per call (log scale)'\nset logscale y\nset logscale x 2\n"
    << "set grid xtics ytics\nset key outside right top noenhanced\nset datafile missing 'NaN'\n"
    << "$data << EOD\n";
  for (size_t i = 0; i < xs.size(); ++i) {
    o << (xs[i] ? xs[i] : 1);  // size 0 is drawn at 1 on the log axis
    for (const Line& l : lines)
      o << " " << (i < l.y.size() && std::isfinite(l.y[i]) && l.y[i] > 0 ? std::to_string(l.y[i]) : "NaN");
    o << "\n";
  }
  o << "EOD\nplot ";
  for (size_t i = 0; i < lines.size(); ++i)
    o << (i ? ", " : "") << "$data using 1:" << i + 2 << " with linespoints lw 2 title '" << lines[i].name << "'";
  o << "\n";
  return o.str();
}

bool gnuplot(const std::string& script, std::string& err) {
  const char* dir = std::getenv("TMPDIR");
  const std::string path = std::string(dir && *dir ? dir : "/tmp") + "/slotlab-design-plot-" +
                           std::to_string(getpid()) + ".gp";
  {
    std::ofstream f(path);
    f << script;
  }
  const RunResult r = run_process({"gnuplot", path}, 120);
  std::remove(path.c_str());
  if (r.status != 0) {
    err = "gnuplot failed (status " + std::to_string(r.status) + "): " + r.error;
    return false;
  }
  return true;
}

}  // namespace

std::map<std::string, std::string> draw_design_plots(const DesignRun& r, const std::string& img_dir,
                                                     std::string& err) {
  std::map<std::string, std::string> out;
  struct Spec {
    const char* name;
    const char* sweep;
    const char* title;
  };
  const Spec ws_specs[] = {{"ws-4k", "ws", "Cost per call against the working set of each callee (4 KiB pages, skylake)"},
                           {"ws-2m", "ws2m", "Cost per call against the working set of each callee (2 MiB pages, skylake)"}};
  for (const Spec& s : ws_specs) {
    std::vector<uint64_t> xs;
    std::vector<Line> lines;
    for (const Variant& v : design_variants()) {
      const BootResult* b = find_boot(r, s.sweep, v.id());
      if (!b) continue;
      Line l{v.id(), {}};
      if (xs.empty())
        for (const Point& p : b->points)
          if (p.depth == 1) xs.push_back(p.ws);
      for (uint64_t w : xs) {
        const Point* p = find_point(*b, 64, 1, w);
        l.y.push_back(p ? cycles_per_call(*p, b->cost) : NAN);
      }
      lines.push_back(l);
    }
    if (lines.empty()) continue;
    const std::string file = std::string("design-") + s.name + ".png";
    if (!gnuplot(line_script(s.title, "working set of each callee (pages touched per call)", xs, lines,
                             img_dir + "/" + file),
                 err))
      return {};
    out[s.name] = "img/" + file;
  }
  std::vector<uint64_t> xs;
  std::vector<Line> lines;
  for (const Variant& v : design_variants()) {
    const BootResult* b = find_boot(r, "size", v.id());
    if (!b) continue;
    Line l{v.id(), {}};
    if (xs.empty())
      for (const Point& p : b->points) xs.push_back(p.size);
    for (uint64_t s : xs) {
      const Point* p = find_point(*b, s, 1, 16);
      l.y.push_back(p ? cycles_per_call(*p, b->cost) : NAN);
    }
    lines.push_back(l);
  }
  if (!lines.empty()) {
    if (!gnuplot(line_script("Cost per call against the buffer size (depth 1, working set 16 pages)",
                             "buffer size in bytes (0 drawn at 1)", xs, lines, img_dir + "/design-size.png"),
                 err))
      return out;
    out["size"] = "img/design-size.png";
  }
  return out;
}

}  // namespace slot::bench
