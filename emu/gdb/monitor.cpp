// `monitor` commands (gdb's qRcmd): read-only views of what the engine
// knows. None of them moves the machine, so gdb's register cache stays valid.
#include <cinttypes>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "emu/gdb/engine_target.h"

namespace slot::gdb {

namespace {

using engine::Engine;

std::string fmt(const char* f, auto... args) {
  char b[256];
  std::snprintf(b, sizeof b, f, args...);
  return b;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

bool number(const std::string& s, uint64_t& v) {
  char* end = nullptr;
  v = std::strtoull(s.c_str(), &end, 0);
  return !s.empty() && end && *end == 0;
}

const char* kHelp =
    "SlotLab monitor commands (read-only; the machine does not move):\n"
    "  monitor info            instruction count, RIP and its symbol, task, snapshots\n"
    "  monitor pml4            present PML4 slots of every known address space, now\n"
    "  monitor pml4 call K     ... at cross-module call K, counted from 1 (after the switch to the callee)\n"
    "  monitor pml4 before K   ... just before call K\n"
    "  monitor calls [N]       the last N cross-module calls (default 20)\n"
    "  monitor tasks           tasks and their open call stacks\n"
    "  monitor modules         modules the guest announced\n"
    "  monitor events [N]      the last N engine events (default 20)\n"
    "  monitor where [ADDR]    symbol of RIP (or ADDR)\n";

std::string pml4(const Engine& e, const std::vector<engine::SpaceView>& spaces) {
  if (spaces.empty()) return "no address space known yet (no CR3 load seen)\n";
  std::string out;
  for (const auto& sv : spaces) {
    out += sv.name;  // the guest's name for it, or "cr3=0x..."
    if (sv.name.rfind("cr3=", 0) != 0) out += fmt("  cr3=%#" PRIx64, sv.cr3);
    if (sv.task != engine::kNone) out += "  task " + e.task_name(sv.task);
    if (sv.module != engine::kNone) out += "  module " + e.module_name(sv.module);
    out += "\n";
    for (const auto& s : sv.slots) {
      // Slot s covers virtual [s << 39, (s + 1) << 39), sign-extended (SDM Vol. 3A §4.5).
      const uint64_t va = (uint64_t(s.slot) << 39) | (s.slot >= 256 ? 0xFFFF000000000000ull : 0);
      out += fmt("  slot %3u  va 0x%016" PRIx64 "  entry 0x%016" PRIx64 "  -> pdpt %#" PRIx64 "\n", unsigned(s.slot), va,
                 s.value, s.value & 0x000FFFFFFFFFF000ull);
    }
  }
  return out;
}

std::string calls(const Engine& e, uint64_t n) {
  const auto& cs = e.calls();
  if (cs.empty()) return "no cross-module call recorded yet\n";
  std::string out = fmt("%zu calls recorded\n", cs.size());
  for (size_t k = cs.size() > n ? cs.size() - n : 0; k < cs.size(); ++k) {
    const auto& c = cs[k];
    out += fmt("  #%-5u task %-8s %s -> %s  depth %u  at icount %" PRIu64, engine::call_number(c.index), e.task_name(c.task).c_str(),
               e.module_name(c.caller).c_str(), e.op_label(c.callee, c.op).c_str(), c.depth, c.enter_icount);
    if (c.returned)
      out += fmt("  returned %" PRId64 " after %" PRIu64 " insns, %" PRIu64 " L1 / %" PRIu64 " L2 TLB misses\n", c.status,
                 c.inclusive.insns, c.inclusive.l1_misses, c.inclusive.l2_misses);
    else
      out += "  (open)\n";
  }
  return out;
}

std::string tasks(const Engine& e) {
  const auto ts = e.tasks();
  if (ts.empty()) return "no task announced\n";
  std::string out;
  for (const auto& t : ts) {
    out += fmt("  task %u %-10s home %s", t.id, t.name.c_str(), e.module_name(t.home_module).c_str());
    if (t.exited) out += fmt("  exited %" PRId64, t.exit_value);
    out += "  stack:";
    if (t.stack.empty()) out += " (no open call)";
    for (uint32_t k : t.stack) out += fmt(" #%u", k);
    out += "\n";
  }
  return out;
}

std::string events(const Engine& e, uint64_t n) {
  const auto& ev = e.events();
  std::string out = fmt("%zu events\n", ev.size());
  for (size_t i = ev.size() > n ? ev.size() - n : 0; i < ev.size(); ++i) {
    const auto& x = ev[i];
    out += fmt("  %6zu  icount %-10" PRIu64 " rip 0x%016" PRIx64 "  %-12s", i, x.icount, x.rip, engine::event_name(x.kind));
    out += fmt(" a=%#" PRIx64 " b=%#" PRIx64, x.a, x.b);
    if (!x.text.empty()) out += " " + x.text;
    out += "\n";
  }
  return out;
}

}  // namespace

std::string engine_monitor(Engine& e, const std::string& cmd) {
  const auto w = words(cmd);
  if (w.empty() || w[0] == "help") return kHelp;
  const std::string& c = w[0];
  uint64_t n = 20;
  if (c == "info") {
    const auto& cpu = e.machine().cpu();
    std::string out = fmt("icount %" PRIu64 "  rip %#" PRIx64 " %s  cpl %u\n", cpu.icount(), cpu.s.rip,
                          e.symbolize(cpu.s.rip).c_str(), unsigned(cpu.s.cpl()));
    out += "task " + e.task_name(e.current_task()) + "\n";
    out += fmt("snapshots: %" PRIu64 " bytes, reverse execution reaches back to icount %" PRIu64 "\n",
               e.snapshot_bytes(), e.oldest_reachable_icount());
    return out;
  }
  if (c == "pml4") {
    if (w.size() == 1) return pml4(e, e.pml4_now());
    uint64_t k;
    if (w.size() == 3 && number(w[2], k) && k >= 1 && k <= e.calls().size()) {  // calls count from 1
      if (w[1] == "call") return pml4(e, e.pml4_at_call(uint32_t(k - 1)));
      if (w[1] == "before") return pml4(e, e.pml4_before_call(uint32_t(k - 1)));
    }
    return fmt("usage: monitor pml4 [call K | before K], K = 1..%zu\n", e.calls().size());
  }
  if (c == "calls" || c == "events") {
    if (w.size() > 1 && !number(w[1], n)) return "usage: monitor " + c + " [N]\n";
    return c == "calls" ? calls(e, n) : events(e, n);
  }
  if (c == "tasks") return tasks(e);
  if (c == "modules") {
    std::string out;
    for (const auto& m : e.modules())
      out += fmt("  module %u %-8s pdpt %#" PRIx64 " base %#" PRIx64 "\n", m.id, m.name.c_str(), m.pdpt, m.base);
    return out.empty() ? "no module announced\n" : out;
  }
  if (c == "where") {
    uint64_t a = e.machine().cpu().s.rip;
    if (w.size() > 1 && !number(w[1], a)) return "usage: monitor where [ADDR]\n";
    return fmt("%#" PRIx64 " ", a) + e.symbolize(a) + "\n";
  }
  return "unknown monitor command '" + c + "' (monitor help lists them)\n";
}

}  // namespace slot::gdb
