// One boot of the guest's bench workload for `slotlab bench design`, and the
// plan run on a few threads. The guest brackets every run with annotation
// marks (guest/kernel/bench.cpp); at each mark the MMU's counters are read,
// so per-call figures come from architectural counts only: the emulator
// knows nothing of the guest beyond the annotation port.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "app/bench/design.h"
#include "emu/engine/annotation.h"
#include "emu/machine/machine.h"

namespace slot::bench {

Counters& Counters::operator-=(const Counters& o) {
  cr3_noflush -= o.cr3_noflush, invpcid -= o.invpcid, ops -= o.ops;
  insns -= o.insns, kernel_insns -= o.kernel_insns, l1_hits -= o.l1_hits, l1_misses -= o.l1_misses, l2_misses -= o.l2_misses;
  walks -= o.walks, walk_refs -= o.walk_refs, psc_hits -= o.psc_hits, cr3_loads -= o.cr3_loads;
  invlpg -= o.invlpg, stale -= o.stale, faults -= o.faults;
  return *this;
}

mmu::CostInputs cost_inputs(const Counters& d) {
  mmu::CostInputs in;
  in.instructions = double(d.insns);
  in.l1_hits = double(d.l1_hits), in.l1_misses = double(d.l1_misses);
  in.walks = double(d.walks), in.walk_refs = double(d.walk_refs);
  in.cr3_flush = double(d.cr3_loads - d.cr3_noflush), in.cr3_noflush = double(d.cr3_noflush);
  in.invlpg = double(d.invlpg - d.invpcid), in.invpcid = double(d.invpcid);
  in.add(d.ops);
  return in;
}

double cycles(const Counters& d, const mmu::CostConfig& c) { return mmu::price(c, cost_inputs(d)).total(); }

namespace {

using Clock = std::chrono::steady_clock;

Counters read_counters(emu::Machine& m) {
  const mmu::MmuStats s = m.mmu().stats();
  Counters c;
  c.insns = m.icount();
  c.kernel_insns = m.cpu().ring0_icount();
  c.l1_hits = s.l1_hits, c.l1_misses = s.l1_misses, c.l2_misses = s.l2_misses;
  c.walks = s.walks, c.walk_refs = s.walk_refs;
  for (const mmu::PscStats& p : s.pscs) c.psc_hits += p.hits;
  c.cr3_loads = s.cr3_loads, c.invlpg = s.invlpg + s.invpcid, c.stale = s.stale, c.faults = s.faults;
  c.cr3_noflush = s.cr3_noflush, c.invpcid = s.invpcid;
  c.ops = m.cpu().kernel_ops();
  return c;
}

// "key=value" words of a mark text.
bool field(const std::string& text, const std::string& key, std::string& out) {
  std::istringstream in(text);
  for (std::string w; in >> w;)
    if (w.rfind(key + "=", 0) == 0) {
      out = w.substr(key.size() + 1);
      return true;
    }
  return false;
}
bool number(const std::string& text, const std::string& key, uint64_t& out) {
  std::string v;
  if (!field(text, key, v) || v.empty() || v.find_first_not_of("0123456789") != std::string::npos) return false;
  out = std::stoull(v);
  return true;
}

struct Run {
  uint64_t calls = 0;
  Counters delta;
};

void finish_point(Point& p, const std::vector<Run>& runs, std::vector<Point>& out, std::string& err) {
  if (runs.size() < 2) {
    err = "a point with fewer than two runs";
    return;
  }
  const Run& a = runs.front();
  const Run& b = runs.back();
  if (b.calls <= a.calls) {
    err = "the measured run is not longer than the warm-up";
    return;
  }
  Counters d = b.delta;
  d -= a.delta;
  // A difference of two deterministic runs may dip below zero for a counter
  // that is ~0 per call (PLRU state differs by a few entries): clamp at 0.
  auto per = [&](uint64_t bv, uint64_t av, double n) { return bv > av ? double(bv - av) / n : 0.0; };
  const double n = double(b.calls - a.calls) * double(p.clients);
  PerCall& pc = p.pc;
  pc.calls = n;
  pc.insns = per(b.delta.insns, a.delta.insns, n);
  pc.kernel_insns = per(b.delta.kernel_insns, a.delta.kernel_insns, n);
  pc.l1_hits = per(b.delta.l1_hits, a.delta.l1_hits, n);
  pc.l1_misses = per(b.delta.l1_misses, a.delta.l1_misses, n);
  pc.l2_misses = per(b.delta.l2_misses, a.delta.l2_misses, n);
  pc.walks = per(b.delta.walks, a.delta.walks, n);
  pc.walk_refs = per(b.delta.walk_refs, a.delta.walk_refs, n);
  pc.psc_hits = per(b.delta.psc_hits, a.delta.psc_hits, n);
  pc.cr3_loads = per(b.delta.cr3_loads, a.delta.cr3_loads, n);
  pc.invlpg = per(b.delta.invlpg, a.delta.invlpg, n);
  // Stale uses are reported for the measured run itself, not as a difference:
  // any stale use anywhere is news.
  pc.stale = double(b.delta.stale + a.delta.stale) / n;
  pc.total = d;
  // The cost model's inputs per call, each clamped at 0 like the counts above.
  const mmu::CostInputs ib = cost_inputs(b.delta), ia = cost_inputs(a.delta);
  static constexpr double mmu::CostInputs::*kPriced[] = {
      &mmu::CostInputs::instructions, &mmu::CostInputs::l1_hits,   &mmu::CostInputs::l1_misses,
      &mmu::CostInputs::walks,        &mmu::CostInputs::walk_refs, &mmu::CostInputs::cr3_flush,
      &mmu::CostInputs::cr3_noflush,  &mmu::CostInputs::invlpg,    &mmu::CostInputs::invpcid,
      &mmu::CostInputs::syscall,      &mmu::CostInputs::sysret,    &mmu::CostInputs::iret,
      &mmu::CostInputs::wrmsr,        &mmu::CostInputs::port_io,   &mmu::CostInputs::string_steps,
      &mmu::CostInputs::string_bytes};
  for (auto f : kPriced) pc.priced.*f = ib.*f > ia.*f ? (ib.*f - ia.*f) / n : 0.0;
  out.push_back(p);
}

}  // namespace

bool points_from_marks(const std::vector<Mark>& marks, BootResult& out) {
  std::string err;
  bool in_point = false;
  Point cur;
  std::vector<Run> runs;
  const Mark* run_start = nullptr;
  const Mark* probe_start = nullptr;
  uint64_t calls = 0;
  for (const Mark& m : marks) {
    if (!err.empty()) break;
    const std::string& t = m.text;
    if (t.rfind("bench point ", 0) == 0) {
      if (in_point) finish_point(cur, runs, out.points, err);
      cur = Point{};
      runs.clear();
      in_point = number(t, "size", cur.size) && number(t, "depth", cur.depth) && number(t, "ws", cur.ws) &&
                 number(t, "clients", cur.clients) && field(t, "pages", cur.pages) && cur.clients > 0;
      if (!in_point) err = "malformed mark \"" + t + "\"";
    } else if (t.rfind("bench run ", 0) == 0) {
      if (!number(t, "calls", calls)) err = "malformed mark \"" + t + "\"";
      run_start = &m;
    } else if (t == "bench end") {
      if (!run_start || !in_point) continue;  // the boot's first warm-up run has no point
      Run r;
      r.calls = calls;
      r.delta = m.at;
      r.delta -= run_start->at;
      runs.push_back(r);
      run_start = nullptr;
    } else if (t == "bench probe begin") {
      probe_start = &m;
    } else if (t == "bench probe end" && probe_start) {
      out.probe_run = true;
      out.probe_stale = m.at.stale - probe_start->at.stale;
    }
  }
  if (in_point && err.empty()) finish_point(cur, runs, out.points, err);
  if (!err.empty()) out.error = err;
  return err.empty();
}

BootResult run_design_boot(const std::string& image, const Sweep& s, const Variant& v) {
  BootResult r;
  r.sweep = s.name;
  r.variant = v.id();
  r.preset = s.preset;
  r.cmdline = sweep_cmdline(s, v);
  const auto t0 = Clock::now();
  try {
    emu::MachineConfig cfg;
    cfg.tlb = s.preset;
    cfg.cmdline = r.cmdline;
    // The port outlives the machine that maps it.
    std::vector<Mark> marks;
    engine::AnnParser parser;
    emu::Machine* mp = nullptr;
    engine::AnnotationPort port([&](uint32_t dword, unsigned size) {
      engine::AnnRecord rec;
      if (size == 4 && parser.feed(dword, rec) && rec.kind == engine::AnnRecord::Mark &&
          rec.text.rfind("bench ", 0) == 0) {
        // Re-walk on every hit from the first mark on: stale translations are
        // counted (the counts of everything else are the same as without;
        // only slower, so the boot before it runs on the fast path).
        if (marks.empty()) mp->mmu().set_stale_mode(mmu::StaleMode::Detect);
        marks.push_back({rec.text, read_counters(*mp)});
      }
    });
    emu::Machine m(cfg);
    mp = &m;
    r.cost = m.mmu().config().cost;
    m.board().ports().map(ann::ANN_PORT, ann::ANN_PORT + 3, &port);
    m.load_kernel(image);
    auto sink = std::make_unique<emu::StringSink>();
    emu::StringSink* text = sink.get();
    m.board().set_serial_sink(std::move(sink));
    const emu::RunExit x = m.run(20'000'000'000ull);
    m.board().flush();
    r.icount = m.icount();
    const std::string& tr = text->text();
    if (const size_t p = tr.find("PROBE read_caller_module: "); p != std::string::npos)
      r.probe_result = tr.substr(p + 26, tr.find('\n', p) - p - 26);
    if (x != emu::RunExit::DebugExit) r.error = "the guest did not exit (instruction limit or shutdown)";
    else if (tr.find("\nDONE") == std::string::npos) r.error = "no DONE line";
    else if (m.exit_status() != 1) {
      const size_t e = tr.find("ERROR");
      r.error = e != std::string::npos ? tr.substr(e, tr.find('\n', e) - e)
                                       : "guest exit status " + std::to_string(m.exit_status()) + " (a RESULT failed)";
    } else if (points_from_marks(marks, r)) {
      r.ok = !r.points.empty();
      if (!r.ok) r.error = "no measured points (no annotation marks?)";
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

std::vector<BootResult> run_design_plan(const std::string& image, const DesignPlan& plan, unsigned jobs,
                                        bool progress) {
  struct Job {
    const Sweep* s;
    const Variant* v;
  };
  std::vector<Job> todo;
  for (const Sweep& s : plan.sweeps)
    for (const Variant& v : plan.variants)
      if (s.runs(v)) todo.push_back({&s, &v});
  std::vector<BootResult> out(todo.size());
  std::atomic<size_t> next{0};
  std::mutex mu;
  size_t done = 0;
  const auto t0 = Clock::now();
  auto worker = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      BootResult r = run_design_boot(image, *todo[i].s, *todo[i].v);
      std::lock_guard<std::mutex> lock(mu);
      ++done;
      if (progress) {
        const double el = std::chrono::duration<double>(Clock::now() - t0).count();
        const double left = el / double(done) * double(todo.size() - done);
        std::fprintf(stderr, "[%2zu/%zu] %-15s %-15s %3zu points %6.0f M insns %6.1f s  %s  (%d:%02d elapsed, ~%d:%02d left)\n",
                     done, todo.size(), r.sweep.c_str(), r.variant.c_str(), r.points.size(), double(r.icount) / 1e6,
                     r.wall_s, r.ok ? "ok" : ("FAILED: " + r.error).c_str(), int(el) / 60, int(el) % 60,
                     int(left) / 60, int(left) % 60);
      }
      out[i] = std::move(r);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < std::max(1u, jobs); ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  return out;
}

}  // namespace slot::bench
