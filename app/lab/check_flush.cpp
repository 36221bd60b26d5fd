// Labs 3 and 7: the working-set sweep of workload=bench, per call, from the
// engine's per-call costs. Flushing variants (cr3, invlpg) must walk every
// page the modules touch again after every switch; tagging (pcid) keeps them
// until the modules' pages together no longer fit the TLB — the crossover a
// student predicts from the TLB's size (docs/mmu.md section 4).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>
#include <unistd.h>

#include "app/lab/check.h"
#include "app/lab/lab7_small_stlb.h"
#include "mmu/config.h"

namespace slot::lab {

namespace {

struct Point {
  uint64_t size = 0, depth = 0, ws = 0, calls = 0;
  double walks = 0, l1 = 0, cycles = 0, invlpg = 0, insns = 0;   // per call
};

uint64_t field(const std::string& line, const char* key) {
  const size_t at = line.find(std::string(" ") + key + "=");
  return at == std::string::npos ? ~0ull : std::strtoull(line.c_str() + at + std::strlen(key) + 2, nullptr, 10);
}

std::vector<std::string> result_lines(const std::string& out) {
  std::vector<std::string> v;
  size_t at = 0;
  while ((at = out.find("RESULT ", at)) != std::string::npos) {
    const size_t nl = out.find('\n', at);
    if (nl == std::string::npos) break;   // not finished yet
    v.push_back(out.substr(at, nl - at));
    at = nl;
  }
  return v;
}

bool starts_point(const engine::Event& ev) {
  return ev.kind == engine::EventKind::Mark && (ev.text == "bench" || ev.text.rfind("bench point", 0) == 0);
}

// Boots workload=bench with size 0, one depth and the given working sets
// (the kernel's sizes=/depths=/ws= options; a kernel without them runs its
// whole sweep, of which the wanted points are taken), and returns one Point
// per working set from the engine's per-call costs of the measured run:
// the last `calls` top-level calls app -> b1 of each point.
std::vector<Point> measure(const CheckEnv& env, const std::string& flush, const std::string& tlb, uint64_t depth,
                           const std::vector<uint64_t>& ws) {
  std::string list;
  for (uint64_t w : ws) {
    if (!list.empty()) list += ',';
    list += std::to_string(w);
  }
  // flush=invlpg page by page, however large the module (the kernel's default,
  // like Linux, reloads CR3 past 33 pages: docs/teaching/lab3-flush-or-tag.md).
  Booted b = boot(env,
                  "workload=bench flush=" + flush + (flush == "invlpg" ? " invlpg_max=100000" : "") +
                      " sizes=0 depths=" + std::to_string(depth) + " ws=" + list,
                  tlb);
  engine::Engine& e = *b.e;
  std::vector<Point> out;
  for (;;) {
    const engine::StopInfo s = e.cont(20'000'000);
    const std::vector<std::string> res = result_lines(b.serial->text());
    size_t wanted = 0;
    for (const std::string& l : res)
      if (field(l, "size") == 0 && field(l, "depth") == depth &&
          std::find(ws.begin(), ws.end(), field(l, "ws")) != ws.end())
        ++wanted;
    if (wanted >= ws.size() || s.reason != engine::StopReason::Limit) break;
  }
  const std::vector<std::string> res = result_lines(b.serial->text());
  // Segment the history at each point's mark; segment i belongs to RESULT line i.
  std::vector<std::vector<uint32_t>> seg;
  for (const engine::Event& ev : e.events()) {
    if (starts_point(ev)) seg.emplace_back();
    if (ev.kind == engine::EventKind::Call && !seg.empty()) {
      const engine::CallRecord& c = e.calls()[ev.call];
      if (c.parent == engine::kNone && c.caller == guest::APP && c.callee == guest::B1 && c.returned)
        seg.back().push_back(ev.call);
    }
  }
  for (size_t i = 0; i < res.size() && i < seg.size(); ++i) {
    Point p;
    p.size = field(res[i], "size");
    p.depth = field(res[i], "depth");
    p.ws = field(res[i], "ws");
    p.calls = field(res[i], "calls");
    if (p.size != 0 || p.depth != depth || std::find(ws.begin(), ws.end(), p.ws) == ws.end() ||
        p.calls == ~0ull || seg[i].size() < p.calls)
      continue;
    engine::TlbDelta sum;
    for (size_t k = seg[i].size() - p.calls; k < seg[i].size(); ++k) sum += e.calls()[seg[i][k]].inclusive;
    const double n = double(p.calls);
    p.walks = double(sum.walks) / n;
    p.l1 = double(sum.l1_misses) / n;
    p.cycles = sum.cycles / n;
    p.invlpg = double(sum.invlpg) / n;
    p.insns = double(sum.insns) / n;
    out.push_back(p);
  }
  return out;
}

const Point* at_ws(const std::vector<Point>& v, uint64_t ws) {
  for (const Point& p : v)
    if (p.ws == ws) return &p;
  return nullptr;
}

void table(Report& r, const std::string& name, const std::vector<Point>& v) {
  for (const Point& p : v) {
    char line[200];
    std::snprintf(line, sizeof line, "%-16s ws=%-4llu  insns %9.0f  L1 misses %8.1f  walks %8.1f  INVLPG %7.1f  "
                  "cycles %10.0f", name.c_str(), (unsigned long long)p.ws, p.insns, p.l1, p.walks, p.invlpg,
                  p.cycles);
    r.note(line);
  }
}

}  // namespace

int check_flush_or_tag(const Lab& lab, const CheckEnv& env) {
  Report r(lab);
  const std::string tlb = lab_tlb(lab, env);
  const uint64_t depth = 3;
  const std::vector<uint64_t> ws = {1, 16, 128, 512};
  std::map<std::string, std::vector<Point>> m;
  r.note("workload=bench size=0 depth=3, per call app -> b1 -> b2 -> b3 (each touches ws pages), TLB " + tlb);
  for (const char* f : {"cr3", "invlpg", "pcid"}) {
    m[f] = measure(env, f, tlb, depth, ws);
    table(r, std::string("flush=") + f, m[f]);
    r.expect(m[f].size() == ws.size(), std::string("flush=") + f + ": every working set measured",
             std::to_string(m[f].size()) + " of " + std::to_string(ws.size()));
  }
  if (r.failed()) return r.failed();
  // Flushing: every touched page is walked again after every switch.
  for (const char* f : {"cr3", "invlpg"}) {
    bool ok = true;
    std::string d;
    for (uint64_t w : ws) {
      ok = ok && at_ws(m[f], w)->walks >= double(depth * w);
      d += std::to_string(w) + ":" + fixed(at_ws(m[f], w)->walks) + " ";
    }
    r.expect(ok, std::string("flush=") + f + ": walks per call >= depth x ws (all pages refilled)", d);
  }
  bool inv = true;
  for (uint64_t w : ws) inv = inv && at_ws(m["invlpg"], w)->invlpg >= double(depth * w);
  r.expect(inv, "flush=invlpg: at least one INVLPG per touched page per call");
  // Tagging: each (task, module) PCID keeps its entries, so pcid misses a
  // level only when the three modules' pages (3 x ws, plus a few dozen code,
  // stack and kernel pages) do not fit it. The prediction from the preset's
  // geometry (docs/mmu.md section 4): fits if 3 x ws + 32 <= entries (under
  // half the misses of cr3), overflows if 3 x ws > entries (at least half);
  // in between is the edge, shown but not judged.
  // The geometry is the model's own (mmu::load_config): the 4 KiB entries of
  // the first-level data TLB and of the second level, for any preset or file.
  struct Geometry { double l1d = 0, stlb = 0; } geo;
  const Geometry* g = nullptr;
  try {
    for (const mmu::ArrayConfig& a : mmu::load_config(tlb).arrays) {
      if (!(a.sizes & mmu::size_bit(mmu::PageSize::K4)) || a.side == mmu::Side::Instr) continue;
      (a.level == 1 ? geo.l1d : geo.stlb) += double(a.entries());
    }
    if (geo.l1d > 0 && geo.stlb > 0) g = &geo;
  } catch (const std::exception&) {
    // not a model with both levels: the points are shown, not judged
  }
  for (uint64_t w : ws) {
    const Point& p = *at_ws(m["pcid"], w);
    const Point& c = *at_ws(m["cr3"], w);
    const double need = double(depth * w);
    const std::string d = "pcid " + fixed(p.walks) + " walks, " + fixed(p.l1) + " L1 misses; cr3 " +
                          fixed(c.walks) + ", " + fixed(c.l1);
    if (!g) {
      r.note("ws=" + std::to_string(w) + ": " + d);
      continue;
    }
    auto judge = [&](double entries, double pv, double cv, const char* level) {
      const std::string what = std::string("flush=pcid, ws=") + std::to_string(w) + ", " + level + " (" +
                               fixed(entries, 0) + " entries) ";
      if (need + 32 <= entries) r.expect(pv < 0.5 * cv, what + "fits: under half the misses of cr3", d);
      else if (need > entries) r.expect(pv >= 0.5 * cv, what + "overflows: misses like a flush", d);
      else r.note(what + "at the edge: " + d);
    };
    judge(g->stlb, p.walks, c.walks, "STLB");
    judge(g->l1d, p.l1, c.l1, "L1 DTLB");
  }
  return r.failed();
}

// ---- lab 7 -----------------------------------------------------------------------

namespace {

// docs/teaching/lab7/small-stlb.tlb, used when --tlb is not given: the
// build embeds the file itself (app/CMakeLists.txt), so the lab checks the
// description the students copy.
const char* kSmallStlb = kLab7SmallStlb;

std::string temp_file(const std::string& text, const char* suffix) {
  std::string path = "/tmp/slotlab-lab7-XXXXXX";
  path += suffix;
  std::vector<char> buf(path.begin(), path.end());
  buf.push_back(0);
  const int fd = mkstemps(buf.data(), int(std::strlen(suffix)));
  if (fd < 0) throw std::runtime_error("cannot create a temporary file");
  close(fd);
  std::ofstream(buf.data()) << text;
  return buf.data();
}

}  // namespace

int check_custom_tlb(const Lab& lab, const CheckEnv& env) {
  Report r(lab);
  const bool own = env.tlb.empty();
  const std::string custom = own ? temp_file(kSmallStlb, ".tlb") : env.tlb;
  struct Remove {
    std::string path;
    ~Remove() { if (!path.empty()) std::remove(path.c_str()); }
  } remove_custom{own ? custom : std::string()};
  r.note("custom description: " + (own ? std::string("small-stlb (built in)") : custom));
  const uint64_t depth = 3;
  const std::vector<uint64_t> ws = {16, 128};
  const std::vector<Point> sky = measure(env, "pcid", "skylake", depth, ws);
  const std::vector<Point> mine = measure(env, "pcid", custom, depth, ws);
  const std::vector<Point> tiny = measure(env, "pcid", "tiny", depth, ws);
  table(r, "skylake", sky);
  table(r, "custom", mine);
  table(r, "tiny", tiny);
  if (!r.expect(sky.size() == 2 && mine.size() == 2 && tiny.size() == 2, "every working set measured on all three"))
    return r.failed();
  r.expect(mine[1].walks > sky[1].walks, "a smaller STLB walks more at ws=128 (3 x 128 pages)",
           fixed(mine[1].walks) + " vs skylake " + fixed(sky[1].walks));
  r.expect(tiny[0].walks > sky[0].walks, "tiny (16-entry STLB) already walks more at ws=16",
           fixed(tiny[0].walks) + " vs skylake " + fixed(sky[0].walks));
  const std::string base = custom.substr(custom.rfind('/') == std::string::npos ? 0 : custom.rfind('/') + 1);
  const bool small_stlb = own || base == "small-stlb.tlb";
  if (small_stlb) {
    // 3 x 128 pages into a 128-entry STLB: most pages miss on every call.
    r.expect(mine[1].walks >= 0.5 * double(depth * 128), "small-stlb: at ws=128 most touched pages walk",
             fixed(mine[1].walks) + " walks per call");
    r.expect(mine[0].walks < 0.5 * double(depth * 16) + 16, "small-stlb: at ws=16 (48 pages) they still fit",
             fixed(mine[0].walks) + " walks per call");
  }
  // A broken description names its file and line (docs/mmu.md section 4).
  const std::string bad = temp_file("name broken\narray stlb level=2 side=U sizes=4K sets=3 ways=4\n", ".tlb");
  std::string msg;
  try {
    Booted b = boot(env, "workload=demo", bad);
  } catch (const std::exception& ex) {
    msg = ex.what();
  }
  r.expect(msg.find(bad + ":2:") != std::string::npos && msg.find("power of two") != std::string::npos,
           "a bad description fails with FILE:LINE: message", msg);
  std::remove(bad.c_str());
  return r.failed();
}

}  // namespace slot::lab
