#include "app/bench/analysis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/bench/stats.h"

namespace slot::bench {

namespace {
const char* kind_name(Kind k) { return k == Kind::Loop ? "loop" : k == Kind::Baseline ? "baseline" : "guest"; }

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string mips_text(const Cell* c) { return c ? fmt("%.0f MIPS", c->mips) : "-"; }
}  // namespace

void describe_workloads(Recording& r, const std::vector<Workload>& ws) {
  for (const Workload& w : ws) {
    r.set("workload:" + w.id, std::string(kind_name(w.kind)) + ";" + w.baseline + ";" + w.title);
    r.set("cmdline:" + w.id + ":qemu", w.cmdline_qemu);
    r.set("cmdline:" + w.id + ":slotlab", w.cmdline_slotlab);
    if (std::find(w.engines.begin(), w.engines.end(), Engine::SlotlabTrace) != w.engines.end())
      r.set("cmdline:" + w.id + ":trace", w.cmdline_trace);
    r.set("image:" + w.id, w.image);
    if (!w.break_at.empty()) r.set("break:" + w.id, w.break_at);
  }
}

std::vector<WorkloadInfo> workloads_of(const Recording& r) {
  std::vector<WorkloadInfo> out;
  for (const auto& [k, v] : r.meta) {
    if (k.rfind("workload:", 0) != 0) continue;
    WorkloadInfo w;
    w.id = k.substr(9);
    const size_t a = v.find(';'), b = v.find(';', a == std::string::npos ? a : a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string kind = v.substr(0, a);
    w.kind = kind == "baseline" ? Kind::Baseline : kind == "guest" ? Kind::Guest : Kind::Loop;
    w.baseline = v.substr(a + 1, b - a - 1);
    w.title = v.substr(b + 1);
    out.push_back(std::move(w));
  }
  return out;
}

const Cell* find_cell(const std::vector<Cell>& cells, const std::string& workload, Engine e) {
  for (const Cell& c : cells)
    if (c.workload == workload && c.engine == e) return &c;
  return nullptr;
}

std::vector<Cell> analyse(const Recording& r) {
  std::vector<Cell> cells;
  for (const Sample& s : r.samples) {
    if (find_cell(cells, s.workload, s.engine)) continue;
    Cell c;
    c.workload = s.workload;
    c.engine = s.engine;
    std::vector<double> walls;
    for (const Sample& t : r.samples) {
      if (t.workload != s.workload || t.engine != s.engine) continue;
      ++c.runs;
      if (!t.ok) continue;
      ++c.ok;
      walls.push_back(t.wall_s);
      if (t.icount) c.icount = t.icount;
      if (t.loop_insns) c.loop_insns = t.loop_insns;
      if (c.checksum.empty()) c.checksum = t.checksum;
      else if (c.checksum != t.checksum) c.checksum = "mixed";
    }
    c.wall = median(walls);
    c.wall_min = min_of(walls);
    c.wall_max = max_of(walls);
    c.base = c.net = c.mips = NAN;
    cells.push_back(std::move(c));
  }
  const std::vector<WorkloadInfo> info = workloads_of(r);
  for (Cell& c : cells) {
    const WorkloadInfo* w = nullptr;
    for (const WorkloadInfo& i : info)
      if (i.id == c.workload) w = &i;
    if (!w || w->kind == Kind::Baseline) continue;
    if (w->kind == Kind::Loop) {
      const Cell* b = find_cell(cells, w->baseline, c.engine);
      if (!b) continue;
      c.base = b->wall;
      c.net = c.wall - c.base;
      if (c.net > 0 && c.loop_insns) c.mips = double(c.loop_insns) / c.net / 1e6;
    } else {
      // The guest: net of the same engine's calls=0 run where the recording
      // has one (its start-up: firmware, loader, kernel set-up), as the loops.
      const Cell* b = w->baseline.empty() ? nullptr : find_cell(cells, w->baseline, c.engine);
      if (b) c.base = b->wall, c.net = c.wall - c.base;
      auto net_insns = [&](const Cell& x) -> uint64_t {
        const Cell* xb = w->baseline.empty() ? nullptr : find_cell(cells, w->baseline, x.engine);
        return xb && xb->icount && xb->icount < x.icount ? x.icount - xb->icount : x.icount;
      };
      uint64_t n = c.icount ? net_insns(c) : 0;
      if (!n) {  // QEMU (and the debugger row) count nothing: borrow slotlab's count of the same guest run
        const Cell* s = find_cell(cells, c.workload, Engine::Slotlab);
        if (s && s->icount) n = net_insns(*s), c.mips_borrowed = true;
      }
      const double t = b ? c.net : c.wall;
      if (n && t > 0) c.mips = double(n) / t / 1e6;
    }
  }
  return cells;
}

std::vector<TargetCheck> check_targets(const std::vector<Cell>& cells) {
  std::vector<TargetCheck> out;
  for (const MipsTarget& m : kMipsTargets) {
    const Cell* c = find_cell(cells, m.workload, Engine::Slotlab);
    if (!c && std::string(m.workload) != "alu") continue;  // (the integer loop's is always reported)
    TargetCheck t;
    t.target = std::string(m.what) + " >= " + fmt("%.0f", m.mips) + " MIPS (slotlab, skylake TLB model; " +
               m.source + ")";
    t.profile_workload = m.workload;
    t.measured = mips_text(c);
    t.evaluated = c && std::isfinite(c->mips);
    t.met = t.evaluated && c->mips >= m.mips;
    t.verdict = !t.evaluated ? "not measured"
                : t.met      ? "met"
                             : "missed: " + fmt("%.2fx", m.mips / c->mips) + " too slow (" +
                              fmt("%.0f", m.mips - c->mips) + " MIPS short)";
    out.push_back(std::move(t));
  }
  for (const char* f : {"cr3", "invlpg", "pcid"}) {
    const std::string id = std::string("modcall-") + f;
    const Cell* s = find_cell(cells, id, Engine::Slotlab);
    const Cell* q = find_cell(cells, id, Engine::Qemu);
    if (!s && !q) continue;
    TargetCheck t;
    t.profile_workload = id;
    // Net of each engine's own start-up where the recording has the calls=0 runs.
    const bool net = s && q && std::isfinite(s->net) && std::isfinite(q->net);
    const double sw = !s ? NAN : net ? s->net : s->wall, qw = !q ? NAN : net ? q->net : q->wall;
    t.target = "module-call benchmark flush=" + std::string(f) + ": " + (net ? "time net of start-up" : "wall time") +
               " <= QEMU's (slotlab with full TLB statistics)";
    t.evaluated = s && q && std::isfinite(sw) && std::isfinite(qw) && sw > 0 && qw > 0;
    t.measured = t.evaluated ? fmt("%.2f s", sw) + " vs QEMU " + fmt("%.2f s", qw) : "-";
    t.met = t.evaluated && sw <= qw;
    t.verdict = !t.evaluated ? "not measured"
                : t.met      ? "met (" + fmt("%.2fx", qw / sw) + " faster)"
                             : "missed: " + fmt("%.2fx", sw / qw) + " QEMU's time";
    out.push_back(std::move(t));
  }
  for (const Cell& c : cells) {
    if (c.engine != Engine::Slotlab) continue;
    const Cell* n = find_cell(cells, c.workload, Engine::SlotlabNoTlb);
    if (!n) continue;
    // Both compare time net of start-up where the recording has the idle runs.
    const bool loop = std::isfinite(c.net) && std::isfinite(n->net);
    const double a = loop ? c.net : c.wall, b = loop ? n->net : n->wall;
    if (c.workload.find('@') != std::string::npos) continue;
    TargetCheck t;
    t.target = c.workload + ": skylake model within 1.3x of --tlb none (" + (loop ? "net of start-up" : "wall time") + ")";
    t.profile_workload = c.workload;
    t.evaluated = std::isfinite(a) && std::isfinite(b) && b > 0;
    t.measured = t.evaluated ? fmt("%.2fx", a / b) + " (" + fmt("%.2f s", a) + " vs " + fmt("%.2f s", b) + ")" : "-";
    t.met = t.evaluated && a / b <= kTargetTlbRatio;
    t.verdict = !t.evaluated ? "not measured"
                : t.met      ? "met"
                             : "missed: " + fmt("%.2fx", a / b / kTargetTlbRatio) + " over the 1.3x allowance";
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace slot::bench
