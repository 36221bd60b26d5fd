#include "app/bench/report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/bench/analysis.h"
#include "app/bench/host_info.h"

namespace slot::bench {

namespace {

std::string num(const char* f, double v) {
  if (!std::isfinite(v)) return "-";
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string spread(const Cell& c) {
  return num("%.3f", c.wall) + " (" + num("%.3f", c.wall_min) + "–" + num("%.3f", c.wall_max) + ")";
}

std::string runs_note(const Cell& c) {
  return c.ok == c.runs ? "" : " **" + std::to_string(c.runs - c.ok) + "/" + std::to_string(c.runs) + " failed**";
}

const char* family(Engine e) {
  return e == Engine::Qemu ? "qemu" : e == Engine::SlotlabTrace ? "trace" : "slotlab";
}

// Enough digits to tell a slow engine from zero.
std::string mips(double v) { return num(v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.2f", v); }

void loops_table(std::ostringstream& o, const Recording& r, const std::vector<WorkloadInfo>& ws,
                 const std::vector<Cell>& cells) {
  o << "### Loops (perf kernels, tests/perf/kernels)\n\n"
    << "MIPS = loop instructions / (median wall time − median wall time of the same image with `iters=0` on the "
       "same engine). The loop instructions are iterations × instructions per iteration, counted in the "
       "disassembly (the harness test checks the count with Capstone), so QEMU and slotlab are measured the "
       "same way; start-up, boot and set-up cancel out.\n\n"
    << "| loop | engine | command line | loop instructions | wall s (min–max) | iters=0 s | loop s | MIPS | "
       "checksum |\n|---|---|---|---:|---:|---:|---:|---:|---|\n";
  for (const WorkloadInfo& w : ws) {
    if (w.kind != Kind::Loop) continue;
    for (Engine e : kEngines) {
      const Cell* c = find_cell(cells, w.id, e);
      if (!c) continue;
      o << "| " << w.title << " | " << engine_title(e) << " | `" << r.get("cmdline:" + w.id + ":" + family(e))
        << "` | " << grouped(c->loop_insns) << " | " << spread(*c) << runs_note(*c) << " | " << num("%.3f", c->base)
        << " | " << num("%.3f", c->net) << " | **" << mips(c->mips) << "** | `"
        << c->checksum.substr(0, 16) << "` |\n";
    }
  }
  o << "\nChecksums agree wherever the iteration count is the same (every slotlab engine); QEMU runs more "
       "iterations of the fast loops, and `ctest -L perf` compares QEMU and slotlab at equal counts.\n\n";
}

void guest_table(std::ostringstream& o, const Recording& r, const std::vector<WorkloadInfo>& ws,
                 const std::vector<Cell>& cells) {
  bool any = false;
  for (const WorkloadInfo& w : ws) any |= w.kind == Kind::Guest;
  if (!any) return;
  o << "### Guest module-call benchmark\n\n"
    << "`build/guest/slotlab-guest.elf` with the command line shown: the bench workload's fixed sweep "
       "(48 configurations × 66 cross-module calls). Every engine runs as a process; *start-up* is the median "
       "wall time of the same image and engine with `calls=0` (firmware, loader, kernel and module set-up, "
       "nothing measured), and *net* is wall − start-up: the guest's work alone, the figure the comparison "
       "uses. Guest instructions are slotlab's count net of its `calls=0` run; the MIPS of QEMU and of the "
       "debugger row (marked ≈) divide that count by their net time.\n\n"
    << "| benchmark | engine | command line | wall s (min–max) | start-up s | net s | guest instructions | MIPS | "
       "net vs QEMU |\n"
    << "|---|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const WorkloadInfo& w : ws) {
    if (w.kind != Kind::Guest) continue;
    const Cell* q = find_cell(cells, w.id, Engine::Qemu);
    for (Engine e : kEngines) {
      const Cell* c = find_cell(cells, w.id, e);
      if (!c) continue;
      const bool net = std::isfinite(c->net) && q && std::isfinite(q->net);
      const std::string vs =
          q && e != Engine::Qemu ? num("%.2fx", net ? c->net / q->net : c->wall / q->wall) + (net ? "" : " (wall)") : "";
      const Cell* b = w.baseline.empty() ? nullptr : find_cell(cells, w.baseline, e);
      const uint64_t n = c->icount && b && b->icount < c->icount ? c->icount - b->icount : c->icount;
      o << "| " << w.title << " | " << engine_title(e) << " | `" << r.get("cmdline:" + w.id + ":" + family(e))
        << "` | " << spread(*c) << runs_note(*c) << " | " << num("%.3f", c->base) << " | " << num("%.3f", c->net)
        << " | " << (n ? grouped(n) : "-") << " | " << (c->mips_borrowed ? "≈" : "") << mips(c->mips) << " | " << vs
        << " |\n";
    }
  }
  o << "\n";
}

// What the breakpoint rows ran: the debugger's configuration, not `slotlab run`.
void break_note(std::ostringstream& o, const Recording& r, const std::vector<WorkloadInfo>& ws,
                const std::vector<Cell>& cells) {
  std::string specs;
  for (const WorkloadInfo& w : ws) {
    const std::string b = r.get("break:" + w.id);
    if (w.kind == Kind::Baseline || b.empty() || !find_cell(cells, w.id, Engine::SlotlabBreak)) continue;
    if (specs.find("`" + b + "`") == std::string::npos) specs += (specs.empty() ? "`" : ", `") + b + "`";
  }
  if (specs.empty()) return;
  o << "*" << engine_title(Engine::SlotlabBreak) << "*: the debugger engine as `slotlab debug` and `slotlab "
       "gdbserver` run it (time travel on, a snapshot every 2,000,000 instructions, call and event history "
       "recorded) with one execution breakpoint set that a passing run never reaches ("
    << specs << "). Code pages without a breakpoint run as in `slotlab run`; the page holding one runs "
       "instruction by instruction (docs/debugger-engine.md).\n\n";
}

void targets_table(std::ostringstream& o, const std::vector<TargetCheck>& ts) {
  o << "### Targets (issues 2, 7 and 18)\n\n| target | measured | verdict |\n|---|---|---|\n";
  for (const TargetCheck& t : ts) o << "| " << t.target << " | " << t.measured << " | " << t.verdict << " |\n";
  o << "\n";
}

void profiles(std::ostringstream& o, const Recording& r) {
  bool header = false;
  for (const auto& [k, v] : r.meta) {
    if (k.rfind("profile:", 0) != 0) continue;
    const std::string id = k.substr(8);
    if (!header) {
      o << "### Profiles behind the missed targets\n\nFlat profiles of slotlab's host code (self time, top "
           "symbols), recorded in the same run.\n\n";
      header = true;
    }
    o << "#### " << id << "\n\n`" << r.get("profile_command:" + id) << "`\n\n```\n" << v;
    if (!v.empty() && v.back() != '\n') o << "\n";
    o << "```\n\n";
  }
}

void failures(std::ostringstream& o, const Recording& r) {
  bool header = false;
  for (const Sample& s : r.samples) {
    if (s.ok) continue;
    if (!header) o << "### Failed runs (left out of the medians)\n\n";
    header = true;
    o << "- " << s.workload << " on " << engine_name(s.engine) << ", run " << s.run + 1 << ": " << s.note << "\n";
  }
  if (header) o << "\n";
}

}  // namespace

std::string render_section(const Recording& r) {
  const std::vector<Cell> cells = analyse(r);
  const std::vector<WorkloadInfo> ws = workloads_of(r);
  std::ostringstream o;
  o << kSectionBegin << "\n## The emulator's speed\n\n"
    << "Measured " << r.get("date") << " on " << r.get("host") << " (" << r.get("cores") << " cores, load average "
    << r.get("loadavg") << " at the start"
    << (r.get("loadavg_end").empty() ? "" : ", " + r.get("loadavg_end") + " at the end") << "), commit `" << r.get("commit") << "`, " << r.get("qemu_version") << ". "
    << r.get("runs") << " interleaved runs per cell" << (r.get("quick") == "1" ? " (--quick sizes)" : "")
    << ", medians. To reproduce:\n\n    " << r.get("command") << "\n\n"
    << "Every engine runs as a process and every row is net of that engine's own start-up (the same image "
       "with `iters=0` or `calls=0`). Bochs: " << (r.get("bochs").empty() ? "not measured in this recording" : r.get("bochs"))
    << (r.get("bochs").rfind("Bochs", 0) == 0
            ? "; `cpu: model=corei7_sandy_bridge_2600k`, display `rfb` with `timeout=0`, `-q -rc` continuing its "
              "debugger, COM1 to a file; it has no isa-debug-exit, so a run ends at the kernel's last serial line, "
              "and its BIOS and GRUB are part of the start-up subtracted"
            : "")
    << ".";
  if (!r.get("slotlab_copies").empty())
    o << " slotlab ran from " << r.get("slotlab_copies")
      << " copies of its file, one per run: its speed depends on where the file's pages lie (docs/performance.md).";
  o << "\n\n";
  loops_table(o, r, ws, cells);
  guest_table(o, r, ws, cells);
  break_note(o, r, ws, cells);
  if (!r.get("plot").empty()) o << "![MIPS per engine](" << r.get("plot") << ")\n\n";
  targets_table(o, check_targets(cells));
  profiles(o, r);
  failures(o, r);
  o << kSectionEnd << "\n";
  return o.str();
}

std::string splice_section(const std::string& doc, const std::string& section) {
  const size_t b = doc.find(kSectionBegin);
  const size_t e = b == std::string::npos ? b : doc.find(kSectionEnd, b);
  if (b != std::string::npos && e != std::string::npos) {
    size_t end = e + std::string(kSectionEnd).size();
    if (end < doc.size() && doc[end] == '\n') ++end;
    return doc.substr(0, b) + section + doc.substr(end);
  }
  if (doc.empty()) return "# SlotLab results\n\n" + section;
  return doc + (doc.back() == '\n' ? "\n" : "\n\n") + section;
}

}  // namespace slot::bench
