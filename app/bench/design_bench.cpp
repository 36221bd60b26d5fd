// `slotlab bench design`: plan, run (progress on stderr), report, and the
// design-cost section of docs/results.md (design.h, design_report.h).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/bench/design.h"
#include "app/bench/design_report.h"
#include "app/bench/host_info.h"
#include "app/bench/runner.h"

namespace slot::bench {

namespace fs = std::filesystem;

namespace {

}  // namespace

int run_design_bench(const DesignOptions& o) {
  std::string build = o.build_dir;
  if (build.empty()) build = fs::read_symlink("/proc/self/exe").parent_path().string();
  const std::string image = build + "/guest/slotlab-guest.elf";
  if (!fs::exists(image)) {
    std::fprintf(stderr, "slotlab bench design: missing %s (build the target slotlab-guest)\n", image.c_str());
    return 2;
  }
  DesignPlan plan = design_plan(o.quick);
  try {
    for (const std::string& s : o.overrides) apply_override(plan.sweeps, s);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "slotlab bench design: %s\n", e.what());
    return 2;
  }
  if (!o.only.empty()) {
    std::vector<Variant> keep;
    for (const std::string& id : o.only) {
      bool found = false;
      for (const Variant& v : plan.variants)
        if (v.id() == id) keep.push_back(v), found = true;
      if (!found) {
        std::string all;
        for (const Variant& v : design_variants()) all.append(" ").append(v.id());
        std::fprintf(stderr, "slotlab bench design: unknown kernel variant \"%s\" (one of:%s)\n", id.c_str(),
                     all.c_str());
        return 2;
      }
    }
    plan.variants = keep;
  }
  if (!o.sweeps.empty()) {
    std::vector<Sweep> keep;
    for (const std::string& name : o.sweeps) {
      bool found = false;
      for (const Sweep& s : plan.sweeps)
        if (s.name == name) keep.push_back(s), found = true;
      if (!found) {
        std::string all;
        for (const Sweep& s : design_plan(o.quick).sweeps) all += " " + s.name;
        std::fprintf(stderr, "slotlab bench design: unknown sweep \"%s\" (one of:%s)\n", name.c_str(), all.c_str());
        return 2;
      }
    }
    plan.sweeps = keep;
  }

  DesignRun run;
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  const std::string commit = source_commit();
  run.meta = {{"date", date}, {"commit", commit}, {"host", host_model()}, {"command", o.command},
              {"image", "build/guest/slotlab-guest.elf"}, {"quick", o.quick ? "1" : "0"}};
  size_t nboots = 0;
  for (const Sweep& s : plan.sweeps)
    for (const Variant& v : plan.variants) nboots += s.runs(v);
  std::fprintf(stderr, "slotlab bench design: %zu kernel variants x %zu sweeps = %zu boots, %u at a time\n",
               plan.variants.size(), plan.sweeps.size(), nboots, o.jobs);
  const auto t0 = std::chrono::steady_clock::now();
  run.boots = run_design_plan(image, plan, o.jobs, true);
  const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  uint64_t points = 0, insns = 0;
  bool all_ok = true;
  for (const BootResult& b : run.boots) points += b.points.size(), insns += b.icount, all_ok &= b.ok;
  char elapsed[64];
  std::snprintf(elapsed, sizeof elapsed, "%d min %02d s wall time with %u parallel boots", int(el) / 60,
                int(el) % 60, o.jobs);
  run.meta.push_back({"points", std::to_string(points)});
  run.meta.push_back({"insns", grouped(insns)});
  run.meta.push_back({"elapsed", elapsed});

  std::map<std::string, std::string> plots;
  if (!o.write.empty()) {
    const fs::path doc(o.write);
    const fs::path img = doc.parent_path() / "img";
    std::error_code ec;
    fs::create_directories(img, ec);
    std::string err;
    plots = draw_design_plots(run, img.string(), err);
    if (!err.empty()) std::fprintf(stderr, "no plots: %s\n", err.c_str());
  }
  const std::string section = render_design_section(run, plots);
  if (!o.write.empty()) {
    std::string old;
    if (std::ifstream f(o.write, std::ios::binary); f) {
      std::ostringstream s;
      s << f.rdbuf();
      old = s.str();
    }
    std::ofstream f(o.write, std::ios::binary);
    f << splice_marked(old, kDesignBegin, kDesignEnd, section);
    if (!f) {
      std::fprintf(stderr, "slotlab bench design: cannot write %s\n", o.write.c_str());
      return 2;
    }
    std::fprintf(stderr, "wrote %s\n", o.write.c_str());
  } else {
    std::fwrite(section.data(), 1, section.size(), stdout);
  }
  std::fprintf(stderr, "slotlab bench design: %llu points in %d:%02d\n", (unsigned long long)points, int(el) / 60,
               int(el) % 60);
  return all_ok ? 0 : 1;
}

}  // namespace slot::bench
