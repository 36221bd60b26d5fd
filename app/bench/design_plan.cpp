// The matrix of `slotlab bench design`: kernel variants x sweeps, and the
// parser for sweep lists (design.h).
#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "app/bench/design.h"

namespace slot::bench {

namespace {

uint64_t parse_number(const std::string& t, const std::string& whole) {
  if (t.empty()) throw std::invalid_argument("empty number in \"" + whole + "\"");
  size_t i = 0;
  uint64_t v = 0;
  for (; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i) {
    if (v > (~0ull - 9) / 10) throw std::invalid_argument("number too large in \"" + whole + "\"");
    v = v * 10 + uint64_t(t[i] - '0');
  }
  if (i == 0) throw std::invalid_argument("\"" + t + "\" is not a number (in \"" + whole + "\")");
  const std::string suffix = t.substr(i);
  if (suffix == "K" || suffix == "k") v <<= 10;
  else if (suffix == "M" || suffix == "m") v <<= 20;
  else if (!suffix.empty()) throw std::invalid_argument("bad suffix \"" + suffix + "\" in \"" + whole + "\"");
  return v;
}

}  // namespace

std::vector<uint64_t> parse_number_list(const std::string& text) {
  std::vector<uint64_t> out;
  if (text.empty()) throw std::invalid_argument("empty list");
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (const size_t dots = part.find(".."); dots != std::string::npos) {
      const uint64_t lo = parse_number(part.substr(0, dots), text), hi = parse_number(part.substr(dots + 2), text);
      if (lo == 0 || hi < lo) throw std::invalid_argument("bad doubling range \"" + part + "\" (needs 1 <= lo <= hi)");
      for (uint64_t v = lo; v <= hi; v *= 2) out.push_back(v);
    } else if (const size_t dash = part.find('-'); dash != std::string::npos) {
      const uint64_t lo = parse_number(part.substr(0, dash), text), hi = parse_number(part.substr(dash + 1), text);
      if (hi < lo || hi - lo > 4096) throw std::invalid_argument("bad range \"" + part + "\"");
      for (uint64_t v = lo; v <= hi; ++v) out.push_back(v);
    } else {
      out.push_back(parse_number(part, text));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

const std::vector<Variant>& design_variants() {
  static const std::vector<Variant> v = {{"modarea", "cr3"},  {"modarea", "invlpg"},  {"modarea", "pcid"},
                                         {"modarea", "none"}, {"monolithic", "cr3"}, {"ipc", "cr3"},
                                         {"ipc", "pcid"}};
  return v;
}

namespace {

std::string join(const std::vector<uint64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s;
}

}  // namespace

bool Sweep::runs(const Variant& v) const {
  return modes.empty() || std::find(modes.begin(), modes.end(), v.mode) != modes.end();
}

std::string sweep_cmdline(const Sweep& s, const Variant& v) {
  std::string c = "workload=bench mode=" + v.mode + " flush=" + v.flush + " sizes=" + join(s.sizes) +
                  " depths=" + join(s.depths) + " ws=" + join(s.ws) + " calls=" + std::to_string(s.calls);
  if (!s.clients.empty()) c += " clients=" + join(s.clients);
  if (s.pages != "4k") c += " pages=" + s.pages;
  if (s.probe) c += " probe=1";
  // The kernel's own cost: no per-call annotation records (SlotLab's
  // instrumentation; monolithic direct calls write none, so keeping them
  // would charge only the isolating kernels). The marks stay.
  c += " annotate=0";
  if (!s.options.empty()) c += " " + s.options;
  return c;
}

void apply_override(std::vector<Sweep>& sweeps, const std::string& spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos) throw std::invalid_argument("--set wants NAME=LIST, got \"" + spec + "\"");
  const std::string name = spec.substr(0, eq);
  const std::vector<uint64_t> list = parse_number_list(spec.substr(eq + 1));
  auto check = [&](uint64_t lo, uint64_t hi) {
    for (uint64_t v : list)
      if (v < lo || v > hi)
        throw std::invalid_argument(name + "=" + std::to_string(v) + " is outside " + std::to_string(lo) + "-" +
                                    std::to_string(hi));
    if (list.size() > 16) throw std::invalid_argument(name + ": at most 16 values");
  };
  for (Sweep& s : sweeps) {
    if (name == "sizes") {
      check(0, 65536);
      if (s.sizes.size() > 1) s.sizes = list;
    } else if (name == "depths") {
      check(1, 3);
      if (s.depths.size() > 1) s.depths = list;
    } else if (name == "ws") {
      check(1, 512);
      if (s.ws.size() > 1) s.ws = list;
    } else if (name == "clients") {
      check(1, 8);
      if (!s.clients.empty()) s.clients = list;
    } else if (name == "calls") {
      check(3, 100000);
      if (list.size() != 1) throw std::invalid_argument("calls= takes one number");
      s.calls = list[0];
    } else {
      throw std::invalid_argument("unknown sweep field \"" + name + "\" (sizes, depths, ws, clients, calls)");
    }
  }
}

DesignPlan design_plan(bool quick) {
  DesignPlan p;
  p.variants = design_variants();
  const std::vector<uint64_t> ws = quick ? std::vector<uint64_t>{1, 16, 128, 512}
                                         : std::vector<uint64_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
  const uint64_t calls = quick ? 6 : 16;
  Sweep w;
  w.name = "ws";
  w.title = "working set x call depth (4 KiB pages)";
  w.depths = quick ? std::vector<uint64_t>{1, 2} : std::vector<uint64_t>{1, 2, 3};
  w.ws = ws;
  w.calls = calls;
  w.probe = true;
  p.sweeps.push_back(w);
  Sweep w2 = w;
  w2.name = "ws2m";
  w2.title = "working set (2 MiB pages)";
  w2.depths = {1};
  w2.pages = "2m";
  w2.probe = false;
  p.sweeps.push_back(w2);
  Sweep sz;
  sz.name = "size";
  sz.title = "buffer size";
  sz.sizes = quick ? std::vector<uint64_t>{0, 4096, 65536} : std::vector<uint64_t>{0, 64, 512, 4096, 16384, 65536};
  sz.calls = calls;
  p.sweeps.push_back(sz);
  Sweep cl;
  cl.name = "clients";
  cl.title = "client tasks (each yields after every call)";
  cl.clients = quick ? std::vector<uint64_t>{1, 2, 3, 4} : std::vector<uint64_t>{1, 2, 3, 4, 8};
  // At 512 pages each (task, module) PCID's own copy of the callee's working
  // set no longer fits beside the others: the design's one real difference.
  cl.ws = {16, 512};
  cl.calls = calls;
  p.sweeps.push_back(cl);
  // Partial pages mapped whole (bounce=none), beside the size sweep's default
  // (bounced): only the module area has pages to bounce.
  Sweep whole = sz;
  whole.name = "size-whole";
  whole.title = "buffer size, partial pages mapped whole (bounce=none)";
  whole.options = "bounce=none";
  whole.modes = {"modarea"};
  p.sweeps.push_back(whole);
  // The clients sweep's working set 16 again, with b1 mapping, writing and
  // unmapping a page of its own area on every call: the bill of dynamic
  // module memory, against the same points of the clients sweep.
  Sweep um;
  um.name = "unmap";
  um.title = "map, write and unmap a page of the callee's area per call";
  um.clients = {1, cl.clients.back() >= 4 ? 4u : cl.clients.back()};
  um.ws = {16};
  um.calls = calls;
  um.options = "unmap=1";
  p.sweeps.push_back(um);
  // One null round trip (app -> b1 and back, no buffer, working set 1) on
  // each kernel's fastpath and on its general path (fastpath=0).
  Sweep nf;
  nf.name = "null";
  nf.title = "null round trip, fastpath";
  nf.sizes = {0};
  nf.ws = {1};
  nf.calls = 16;
  p.sweeps.push_back(nf);
  Sweep ng = nf;
  ng.name = "null-general";
  ng.title = "null round trip, general path";
  ng.options = "fastpath=0";
  p.sweeps.push_back(ng);
  for (const char* preset : {"icelake", "tiny"}) {
    if (quick && std::string(preset) == "icelake") continue;
    Sweep t = w;
    t.name = std::string("preset-") + preset;
    t.title = std::string("working set, TLB preset ") + preset;
    t.preset = preset;
    t.depths = {1};
    t.probe = false;
    p.sweeps.push_back(t);
  }
  return p;
}

}  // namespace slot::bench
