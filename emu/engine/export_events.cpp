// Engine events as JSON: one object per event (the --events-jsonl line
// format, docs/debugger-engine.md "Event lines"), and the Chrome trace.
#include <map>

#include "emu/engine/export.h"
#include "emu/engine/json_out.h"

namespace slot::engine {

using json::hex, json::num, json::snum, json::str, json::real;

namespace {
std::string cost_json(const TlbDelta& d) {
  return "{\"insns\":" + num(d.insns) + ",\"l1_misses\":" + num(d.l1_misses) + ",\"l2_misses\":" + num(d.l2_misses) +
         ",\"walks\":" + num(d.walks) + ",\"walk_refs\":" + num(d.walk_refs) + ",\"cr3_loads\":" + num(d.cr3_loads) +
         ",\"invlpg\":" + num(d.invlpg) + ",\"cycles\":" + real(d.cycles) + "}";
}
}  // namespace

std::string event_json(const Engine& e, size_t i) {
  const Event& ev = e.events()[i];
  std::string s = "{\"i\":" + num(i) + ",\"kind\":" + str(event_name(ev.kind)) + ",\"icount\":" + num(ev.icount) +
                  ",\"rip\":" + hex(ev.rip) + ",\"cr3\":" + hex(ev.cr3);
  if (ev.task != kNone) s += ",\"task\":" + num(ev.task);
  switch (ev.kind) {
    case EventKind::Exception:
      s += ",\"vector\":" + num(ev.vector) + ",\"error\":" + hex(ev.a);
      if (ev.vector == 14) s += ",\"cr2\":" + hex(ev.b);
      break;
    case EventKind::Interrupt: case EventKind::SoftInt: s += ",\"vector\":" + num(ev.vector); break;
    case EventKind::Cr3Load: case EventKind::Cr4Write: s += ",\"old\":" + hex(ev.a) + ",\"new\":" + hex(ev.b); break;
    case EventKind::CplChange: s += ",\"old\":" + num(ev.a) + ",\"new\":" + num(ev.b); break;
    case EventKind::Invlpg: s += ",\"addr\":" + hex(ev.a); break;
    case EventKind::Invpcid: s += ",\"type\":" + num(ev.a) + ",\"pcid\":" + num(ev.b); break;
    case EventKind::NewSpace: s += ",\"space\":" + hex(ev.a); break;
    case EventKind::SlotChange:
      s += ",\"slot\":" + num(ev.slot) + ",\"old\":" + hex(ev.a) + ",\"new\":" + hex(ev.b) + ",\"entry_pa\":" + hex(ev.c);
      break;
    case EventKind::Call: {
      const CallRecord& c = e.calls()[ev.call];
      s += ",\"call\":" + num(ev.call) + ",\"caller\":" + str(e.module_name(c.caller)) +
           ",\"callee\":" + str(e.module_name(c.callee)) + ",\"op\":" + num(c.op) + ",\"op_name\":" + str(e.op_label(c.callee, c.op)) + ",\"depth\":" + num(c.depth);
      if (c.parent != kNone) s += ",\"parent\":" + num(c.parent);
      s += ",\"buffers\":[";
      for (size_t b = 0; b < c.buffers.size(); ++b)
        s += std::string(b ? "," : "") + "{\"caller\":" + hex(c.buffers[b].caller_addr) +
             ",\"window\":" + hex(c.buffers[b].window_addr) + ",\"len\":" + num(c.buffers[b].len) + "}";
      s += "]";
      break;
    }
    case EventKind::Return: {
      const CallRecord& c = e.calls()[ev.call];
      s += ",\"call\":" + num(ev.call) + ",\"status\":" + snum(int64_t(ev.a)) + ",\"inclusive\":" +
           cost_json(c.inclusive) + ",\"exclusive\":" + cost_json(c.exclusive) + ",\"wall\":" + cost_json(c.wall);
      break;
    }
    case EventKind::TaskCreate: s += ",\"name\":" + str(ev.text); break;
    case EventKind::TaskExit: s += ",\"value\":" + snum(int64_t(ev.a)); break;
    case EventKind::Module: s += ",\"module\":" + num(ev.a) + ",\"name\":" + str(ev.text); break;
    case EventKind::Name: s += ",\"space\":" + hex(ev.a) + ",\"name\":" + str(ev.text); break;
    case EventKind::Mark: s += ",\"text\":" + str(ev.text); break;
    case EventKind::BadAnnotation: s += ",\"raw\":" + hex(ev.a) + ",\"why\":" + str(ev.text); break;
    case EventKind::TlbMiss: case EventKind::Stale: s += ",\"addr\":" + hex(ev.a); break;
  }
  return s + "}";
}

void write_events_jsonl(const Engine& e, std::FILE* out) {
  for (size_t i = 0; i < e.events().size(); ++i) std::fprintf(out, "%s\n", event_json(e, i).c_str());
}

void write_chrome_trace(const Engine& e, std::FILE* out) {
  const double ips = double(e.insns_per_second());
  auto ts = [&](uint64_t icount) { return real(double(icount) * 1e6 / ips); };  // microseconds
  // One track per task life (the guest reuses task ids); track 0 holds
  // whatever ran in spaces the guest did not name.
  const auto& ev = e.events();
  std::map<std::pair<uint32_t, size_t>, unsigned> tracks;
  auto tid = [&](uint32_t task, size_t at) {
    const auto key = std::make_pair(task, task == kNone ? kNoIndex : e.task_incarnation(task, at));
    auto it = tracks.find(key);
    if (it == tracks.end()) it = tracks.emplace(key, unsigned(tracks.size())).first;
    return num(it->second);
  };
  const uint64_t end = ev.empty() ? 0 : ev.back().icount;
  bool first = true;
  auto put = [&](const std::string& obj) {
    std::fprintf(out, "%s\n%s", first ? "" : ",", obj.c_str());
    first = false;
  };
  std::fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":\"slotlab\",\"clock\":\"guest time: "
                    "instruction count / %.0f per second\"},\"traceEvents\":[",
               ips);
  put("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"slotlab guest\"}}");
  tid(kNone, 0);
  for (size_t i = 0; i < ev.size(); ++i) tid(ev[i].task, i);
  for (const auto& [key, track] : tracks) {
    const auto [task, life] = key;
    const std::string name =
        task == kNone ? "kernel / unnamed spaces" : e.task_name(task, life) + " (task " + num(task) + ")";
    put("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":" + num(track) +
        ",\"args\":{\"name\":" + str(name) + "}}");
    put("{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":" + num(track) +
        ",\"args\":{\"sort_index\":" + num(track) + "}}");
  }
  for (const CallRecord& c : e.calls()) {
    // The call's span: the caller's kernel entry to the kernel's exit back to
    // it (types.h), where the engine saw them; else the annotation records.
    const uint64_t start = c.entry_icount != kNone64 ? c.entry_icount : c.enter_icount;
    const uint64_t stop = !c.returned ? end : c.exit_icount != kNone64 ? c.exit_icount : c.return_icount;
    std::string args = "{\"call\":" + num(c.index) + ",\"op\":" + num(c.op) + ",\"depth\":" + num(c.depth);
    if (c.returned) args += ",\"status\":" + snum(c.status);
    args += ",\"inclusive\":" + std::string("{\"insns\":") + num(c.inclusive.insns) + ",\"l1_misses\":" +
            num(c.inclusive.l1_misses) + ",\"l2_misses\":" + num(c.inclusive.l2_misses) + ",\"walks\":" +
            num(c.inclusive.walks) + ",\"cycles\":" + real(c.inclusive.cycles) + "},\"exclusive_cycles\":" +
            real(c.exclusive.cycles) + "}";
    put("{\"name\":" + str(e.module_name(c.caller) + " -> " + e.op_label(c.callee, c.op)) +
        ",\"cat\":\"call\",\"ph\":\"X\",\"pid\":1,\"tid\":" + tid(c.task, c.enter_event) + ",\"ts\":" + ts(start) +
        ",\"dur\":" + real(double(stop - start) * 1e6 / ips) + ",\"args\":" + args + "}");
  }
  for (size_t i = 0; i < ev.size(); ++i) {
    const Event& x = ev[i];
    std::string name;
    if (x.kind == EventKind::SlotChange) {
      char b[96];
      std::snprintf(b, sizeof b, "PML4[%u] %#llx -> %#llx", x.slot, (unsigned long long)x.a, (unsigned long long)x.b);
      name = b;
    } else if (x.kind == EventKind::Cr3Load) {
      char b[64];
      std::snprintf(b, sizeof b, "CR3 <- %#llx", (unsigned long long)x.b);
      name = b;
    } else {
      continue;
    }
    put("{\"name\":" + str(name) + ",\"cat\":" + str(event_name(x.kind)) + ",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":" +
        tid(x.task, i) + ",\"ts\":" + ts(x.icount) + ",\"args\":{\"event\":" + num(i) + ",\"rip\":" + hex(x.rip) + "}}");
  }
  for (const HistoryPoint& p : e.history()) {
    const uint64_t at = ev[p.event].icount;
    put("{\"name\":\"TLB misses since previous call event\",\"ph\":\"C\",\"pid\":1,\"ts\":" + ts(at) +
        ",\"args\":{\"L1\":" + num(p.delta.l1_misses) + ",\"L2\":" + num(p.delta.l2_misses) + "}}");
    put("{\"name\":\"page walks since previous call event\",\"ph\":\"C\",\"pid\":1,\"ts\":" + ts(at) +
        ",\"args\":{\"walks\":" + num(p.delta.walks) + "}}");
  }
  std::fprintf(out, "\n]}\n");
}

}  // namespace slot::engine
