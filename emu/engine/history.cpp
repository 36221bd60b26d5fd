// The event log and the queries over it. Replay re-observes: an event seen
// again below the furthest point reached must equal the logged one (the
// machine is deterministic); if it does not — the user edited state, or a bug
// — the log is cut there and continues from the new observation.
#include <algorithm>

#include "emu/engine/impl.h"

namespace slot::engine {

const char* event_name(EventKind k) {
  static const char* const n[] = {"exception", "interrupt", "softint",   "cr3_load", "cpl_change", "invlpg",
                                  "invpcid",   "cr4_write", "new_space", "slot_change", "call",     "return",
                                  "task_create", "task_exit", "module",  "name",       "mark",     "bad_annotation",
                                  "tlb_miss",  "stale"};
  return unsigned(k) < sizeof n / sizeof *n ? n[unsigned(k)] : "?";
}

const char* stop_reason_name(StopReason r) {
  static const char* const n[] = {"step", "point", "guest-exit", "shutdown", "limit", "paused", "history-start"};
  return n[unsigned(r)];
}

TlbDelta& TlbDelta::operator+=(const TlbDelta& o) {
  insns += o.insns, l1_misses += o.l1_misses, l2_misses += o.l2_misses, walks += o.walks;
  walk_refs += o.walk_refs, cr3_loads += o.cr3_loads, invlpg += o.invlpg, stale += o.stale, faults += o.faults;
  cycles += o.cycles;
  return *this;
}
TlbDelta& TlbDelta::operator-=(const TlbDelta& o) {
  insns -= o.insns, l1_misses -= o.l1_misses, l2_misses -= o.l2_misses, walks -= o.walks;
  walk_refs -= o.walk_refs, cr3_loads -= o.cr3_loads, invlpg -= o.invlpg, stale -= o.stale, faults -= o.faults;
  cycles -= o.cycles;
  return *this;
}

namespace {
bool same(const Event& x, const Event& y) {
  return x.kind == y.kind && x.icount == y.icount && x.rip == y.rip && x.a == y.a && x.vector == y.vector &&
         x.slot == y.slot && x.task == y.task && (x.kind == EventKind::SlotChange ? x.b == y.b : true);
}
}  // namespace

size_t Engine::Impl::log(const Event& e, bool& fresh) {
  if (cursor < hist.events.size()) {
    if (same(hist.events[cursor], e)) {
      fresh = false;
      return cursor++;
    }
    truncate_history(cursor);
  }
  fresh = true;
  hist.events.push_back(e);
  return cursor++;
}

uint64_t Engine::Impl::history_bytes() const {
  return hist.events.size() * sizeof(Event) +
         hist.calls.size() * (sizeof(CallRecord) + 3 * sizeof(TlbDelta) + 64) +
         hist.points.size() * sizeof(HistoryPoint) + hist.slots.size() * sizeof(SlotLog) +
         hist.spaces.size() * (sizeof(SpaceLog) + 512 * 8);
}

size_t Engine::Impl::emit(const Event& e) {
  flush_pending();
  bool fresh;
  const size_t idx = log(e, fresh);
  check(idx);
  return idx;
}

const std::pair<size_t, std::string>* Engine::Impl::task_life(uint32_t id, size_t at) const {
  auto it = hist.task_lives.find(id);
  if (it == hist.task_lives.end()) return nullptr;
  const auto& v = it->second;
  auto p = std::upper_bound(v.begin(), v.end(), at, [](size_t a, const auto& x) { return a < x.first; });
  return p == v.begin() ? nullptr : &*std::prev(p);
}

void Engine::Impl::truncate_history(size_t at) {
  if (at >= hist.events.size()) return;
  hist.events.resize(at);
  while (!hist.calls.empty() && hist.calls.back().enter_event >= at) {
    hist.calls.pop_back();
    hist.enter_cum.pop_back();
    hist.enter_wall.pop_back();
    hist.enter_ring0.pop_back();
    hist.child_sum.pop_back();
  }
  for (CallRecord& c : hist.calls)
    if (c.returned && c.return_event >= at) {
      if (c.parent != kNone) hist.child_sum[c.parent] -= c.inclusive;
      c.returned = false, c.return_event = kNoIndex, c.return_icount = 0, c.status = 0;
      c.exit_icount = kNone64, c.kernel_insns = 0;
      c.inclusive = c.exclusive = c.wall = TlbDelta{};
    }
  while (!hist.points.empty() && hist.points.back().event >= at) hist.points.pop_back();
  while (!hist.slots.empty() && hist.slots.back().event >= at) hist.slots.pop_back();
  while (!hist.spaces.empty() && hist.spaces.back().event >= at) hist.spaces.pop_back();
  for (auto& [id, lives] : hist.task_lives)
    while (!lives.empty() && lives.back().first >= at) lives.pop_back();
  // Output from here on is new output.
  serial_high = know.serial_pos;
}

bool event_matches(const StopPoint& p, const Event& e) {
  if (p.kind != PointKind::Event || p.event != e.kind) return false;
  if (p.filter < 0) return true;
  switch (e.kind) {
    case EventKind::Exception: case EventKind::Interrupt: case EventKind::SoftInt: return e.vector == p.filter;
    case EventKind::SlotChange: return e.slot == p.filter;
    case EventKind::TlbMiss: return (e.a >> 12) == (p.addr >> 12);
    case EventKind::Call: return e.a == uint64_t(p.filter);  // callee module
    default: return true;
  }
}

void Engine::Impl::check(size_t idx) {
  if (hit) return;
  const Event& e = hist.events[idx];
  if (points_on)
    for (const auto& [id, p] : points)
      if (event_matches(p, e)) {
        Hit h;
        h.point = id;
        h.event = idx;
        h.cause_rip = e.rip;
        h.message = p.label.empty() ? event_name(e.kind) : p.label;
        h.addr = e.kind == EventKind::Exception ? e.b               // CR2 for #PF
                 : e.kind == EventKind::SlotChange ? e.c            // the entry's physical address
                 : e.kind == EventKind::Invlpg ? e.a : 0;
        hit = h;
        m.request_stop();
        return;
      }
  if (!goal.active) return;
  bool done = false;
  const size_t depth = [&] {
    auto t = know.tasks.find(goal.task);
    return t == know.tasks.end() ? size_t(0) : t->second.stack.size();
  }();
  switch (goal.kind) {
    case StepKind::NextCall: done = e.kind == EventKind::Call; break;
    case StepKind::OverCall:
      done = e.task == goal.task &&
             ((e.kind == EventKind::Return && depth <= goal.depth) || e.kind == EventKind::TaskExit);
      break;
    case StepKind::FinishCall:
      done = e.task == goal.task &&
             ((e.kind == EventKind::Return && depth < goal.depth) || e.kind == EventKind::TaskExit);
      break;
    default: break;
  }
  if (done) {
    Hit h;
    h.reason = StopReason::Step;
    h.event = idx;
    hit = h;
    m.request_stop();
  }
}

void Engine::Impl::check_transient(const Event& e) {
  if (hit || !points_on) return;
  for (const auto& [id, p] : points)
    if (event_matches(p, e)) {
      Hit h;
      h.point = id;
      h.message = std::string(event_name(e.kind)) + (e.text.empty() ? "" : " (" + e.text + ")");
      char buf[48];
      std::snprintf(buf, sizeof buf, " at %#llx", (unsigned long long)e.a);
      h.message += buf;
      h.addr = e.kind == EventKind::Invpcid ? e.b : e.a;
      h.cause_rip = e.rip;
      hit = h;
      m.request_stop();
      return;
    }
}

std::vector<SpaceView> Engine::Impl::pml4_at(size_t event_limit, size_t slot_end) const {
  std::vector<SpaceView> out;
  std::vector<std::vector<uint64_t>> tables;
  for (const SpaceLog& sl : hist.spaces) {
    if (sl.event >= event_limit) break;
    SpaceView v;
    v.cr3 = sl.as.cr3, v.task = sl.as.task, v.module = sl.as.module, v.name = sl.as.name;
    out.push_back(v);
    tables.push_back(sl.init);
  }
  for (size_t i = 0; i < slot_end && i < hist.slots.size(); ++i) {
    const SlotLog& s = hist.slots[i];
    for (size_t j = 0; j < out.size(); ++j)
      if ((out[j].cr3 & 0x000FFFFFFFFFF000ull) == s.pml4) tables[j][s.slot] = s.new_v;
  }
  for (size_t j = 0; j < out.size(); ++j)
    for (unsigned s = 0; s < 512; ++s)
      if (tables[j][s] & 1) out[j].slots.push_back({uint16_t(s), tables[j][s]});
  return out;
}

std::vector<TaskStackView> Engine::Impl::stacks_at(size_t point) const {
  std::map<uint32_t, uint32_t> top;  // task -> innermost open call
  for (size_t i = 0; i <= point && i < hist.points.size(); ++i) top[hist.points[i].task] = hist.points[i].top_after;
  std::vector<TaskStackView> out;
  for (const auto& [task, k] : top) {
    TaskStackView v;
    v.task = task;
    const auto* life = task_life(task, hist.points[std::min(point, hist.points.size() - 1)].event);
    v.name = life ? life->second : "task" + std::to_string(task);
    for (uint32_t c = k; c != kNone; c = hist.calls[c].parent) v.calls.push_back(c);
    std::reverse(v.calls.begin(), v.calls.end());
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace slot::engine
