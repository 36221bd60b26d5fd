// Engine events as JSON: one object per event (the --events-jsonl line
// format, docs/debugger-engine.md "Event lines"), and the Chrome trace.
#include <map>

#include "emu/engine/export.h"
#include "emu/io/json.h"

namespace slot::engine {

using emu::Json;

namespace {
void cost_json(Json& j, const char* key, const TlbDelta& d) {
  j.object(key).u("insns", d.insns).u("l1_misses", d.l1_misses).u("l2_misses", d.l2_misses).u("walks", d.walks)
      .u("walk_refs", d.walk_refs).u("cr3_loads", d.cr3_loads).u("invlpg", d.invlpg).d("cycles", d.cycles).end();
}
}  // namespace

std::string event_json(const Engine& e, size_t i) {
  const Event& ev = e.events()[i];
  std::string s;
  Json j(s);
  j.object().u("i", i).s("kind", event_name(ev.kind)).u("icount", ev.icount).hex("rip", ev.rip).hex("cr3", ev.cr3);
  if (ev.task != kNone) j.u("task", ev.task);
  switch (ev.kind) {
    case EventKind::Exception:
      j.u("vector", ev.vector).hex("error", ev.a);
      if (ev.vector == 14) j.hex("cr2", ev.b);
      break;
    case EventKind::Interrupt: case EventKind::SoftInt: j.u("vector", ev.vector); break;
    case EventKind::Cr3Load: case EventKind::Cr4Write: j.hex("old", ev.a).hex("new", ev.b); break;
    case EventKind::CplChange: j.u("old", ev.a).u("new", ev.b); break;
    case EventKind::Invlpg: j.hex("addr", ev.a); break;
    case EventKind::Invpcid: j.u("type", ev.a).u("pcid", ev.b); break;
    case EventKind::NewSpace: j.hex("space", ev.a); break;
    case EventKind::SlotChange: j.u("slot", ev.slot).hex("old", ev.a).hex("new", ev.b).hex("entry_pa", ev.c); break;
    case EventKind::Call: {
      const CallRecord& c = e.calls()[ev.call];
      j.u("call", ev.call).s("caller", e.module_name(c.caller)).s("callee", e.module_name(c.callee)).u("op", c.op)
          .s("op_name", e.op_label(c.callee, c.op)).u("depth", c.depth);
      if (c.parent != kNone) j.u("parent", c.parent);
      j.array("buffers");
      for (const CallBuffer& b : c.buffers)
        j.object().hex("caller", b.caller_addr).hex("window", b.window_addr).u("len", b.len).end();
      j.end();
      break;
    }
    case EventKind::Return: {
      const CallRecord& c = e.calls()[ev.call];
      j.u("call", ev.call).i("status", int64_t(ev.a));
      cost_json(j, "inclusive", c.inclusive);
      cost_json(j, "exclusive", c.exclusive);
      cost_json(j, "wall", c.wall);
      break;
    }
    case EventKind::TaskCreate: j.s("name", ev.text); break;
    case EventKind::TaskExit: j.i("value", int64_t(ev.a)); break;
    case EventKind::Module: j.u("module", ev.a).s("name", ev.text); break;
    case EventKind::Name: j.hex("space", ev.a).s("name", ev.text); break;
    case EventKind::Mark: j.s("text", ev.text); break;
    case EventKind::BadAnnotation: j.hex("raw", ev.a).s("why", ev.text); break;
    case EventKind::TlbMiss: case EventKind::Stale: j.hex("addr", ev.a); break;
  }
  j.end();
  return s;
}

void write_events_jsonl(const Engine& e, std::FILE* out) {
  for (size_t i = 0; i < e.events().size(); ++i) std::fprintf(out, "%s\n", event_json(e, i).c_str());
}

void write_chrome_trace(const Engine& e, std::FILE* out) {
  const double ips = double(e.insns_per_second());
  auto us = [&](uint64_t insns) { return double(insns) * 1e6 / ips; };  // guest time in microseconds
  // One track per task life (the guest reuses task ids); track 0 holds
  // whatever ran in spaces the guest did not name.
  const auto& ev = e.events();
  std::map<std::pair<uint32_t, size_t>, unsigned> tracks;
  auto tid = [&](uint32_t task, size_t at) {
    const auto key = std::make_pair(task, task == kNone ? kNoIndex : e.task_incarnation(task, at));
    auto it = tracks.find(key);
    if (it == tracks.end()) it = tracks.emplace(key, unsigned(tracks.size())).first;
    return it->second;
  };
  const uint64_t end = ev.empty() ? 0 : ev.back().icount;
  // One event per line inside one array, written as it is built.
  bool first = true;
  std::string obj;
  auto put = [&](Json&) {
    std::fprintf(out, "%s\n%s", first ? "" : ",", obj.c_str());
    obj.clear();
    first = false;
  };
  std::fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"source\":\"slotlab\",\"clock\":\"guest time: "
                    "instruction count / %.0f per second\"},\"traceEvents\":[",
               ips);
  {
    Json j(obj);
    put(j.object().s("name", "process_name").s("ph", "M").u("pid", 1).object("args").s("name", "slotlab guest").end().end());
  }
  tid(kNone, 0);
  for (size_t i = 0; i < ev.size(); ++i) tid(ev[i].task, i);
  for (const auto& [key, track] : tracks) {
    const auto [task, life] = key;
    const std::string name =
        task == kNone ? "kernel / unnamed spaces" : e.task_name(task, life) + " (task " + std::to_string(task) + ")";
    Json a(obj);
    put(a.object().s("name", "thread_name").s("ph", "M").u("pid", 1).u("tid", track).object("args").s("name", name)
            .end().end());
    Json b(obj);
    put(b.object().s("name", "thread_sort_index").s("ph", "M").u("pid", 1).u("tid", track).object("args")
            .u("sort_index", track).end().end());
  }
  for (const CallRecord& c : e.calls()) {
    // The call's span: the caller's kernel entry to the kernel's exit back to
    // it (types.h), where the engine saw them; else the annotation records.
    const uint64_t start = c.entry_icount != kNone64 ? c.entry_icount : c.enter_icount;
    const uint64_t stop = !c.returned ? end : c.exit_icount != kNone64 ? c.exit_icount : c.return_icount;
    Json j(obj);
    j.object().s("name", e.module_name(c.caller) + " -> " + e.op_label(c.callee, c.op)).s("cat", "call").s("ph", "X")
        .u("pid", 1).u("tid", tid(c.task, c.enter_event)).d("ts", us(start)).d("dur", us(stop - start));
    j.object("args").u("call", c.index).u("op", c.op).u("depth", c.depth);
    if (c.returned) j.i("status", c.status);
    j.object("inclusive").u("insns", c.inclusive.insns).u("l1_misses", c.inclusive.l1_misses)
        .u("l2_misses", c.inclusive.l2_misses).u("walks", c.inclusive.walks).d("cycles", c.inclusive.cycles).end();
    put(j.d("exclusive_cycles", c.exclusive.cycles).end().end());
  }
  for (size_t i = 0; i < ev.size(); ++i) {
    const Event& x = ev[i];
    char name[96];
    if (x.kind == EventKind::SlotChange)
      std::snprintf(name, sizeof name, "PML4[%u] %#llx -> %#llx", x.slot, (unsigned long long)x.a,
                    (unsigned long long)x.b);
    else if (x.kind == EventKind::Cr3Load)
      std::snprintf(name, sizeof name, "CR3 <- %#llx", (unsigned long long)x.b);
    else
      continue;
    Json j(obj);
    put(j.object().s("name", name).s("cat", event_name(x.kind)).s("ph", "i").s("s", "t").u("pid", 1)
            .u("tid", tid(x.task, i)).d("ts", us(x.icount)).object("args").u("event", i).hex("rip", x.rip).end()
            .end());
  }
  for (const HistoryPoint& p : e.history()) {
    const uint64_t at = ev[p.event].icount;
    Json a(obj);
    put(a.object().s("name", "TLB misses since previous call event").s("ph", "C").u("pid", 1).d("ts", us(at))
            .object("args").u("L1", p.delta.l1_misses).u("L2", p.delta.l2_misses).end().end());
    Json b(obj);
    put(b.object().s("name", "page walks since previous call event").s("ph", "C").u("pid", 1).d("ts", us(at))
            .object("args").u("walks", p.delta.walks).end().end());
  }
  std::fprintf(out, "\n]}\n");
}

}  // namespace slot::engine
