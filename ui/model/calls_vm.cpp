#include "ui/model/calls_vm.h"

#include <algorithm>
#include <map>

namespace slot::ui {

namespace {
std::string call_text(const engine::CallRecord& c, const Names& n) {
  return n.module(c.caller) + " -> " + n.op(c.callee, c.op) + "  (call #" +
         std::to_string(engine::call_number(c.index)) + ", icount " + std::to_string(c.enter_icount) + ")";
}
}  // namespace

std::vector<TaskStack> make_call_stacks(const Frame& f, const History& h) {
  std::vector<TaskStack> out;
  const Names names = f.view ? Names(*f.view) : Names();
  for (const auto& s : f.stacks) {
    TaskStack t;
    t.task = s.task;
    t.name = s.name.empty() ? names.task(s.task) : s.name;
    unsigned d = 0;
    for (uint32_t k : s.calls) {
      StackLine l;
      l.call = k;
      l.depth = d++;
      if (k < h.calls.size()) {
        l.text = call_text(h.calls[k], names.as_of(h, h.calls[k].enter_event));
        l.colour = module_colour(h.calls[k].callee);
      } else {
        l.text = "call #" + std::to_string(engine::call_number(k));
      }
      t.lines.push_back(std::move(l));
    }
    out.push_back(std::move(t));
  }
  return out;
}

CallTimeline make_call_timeline(const Frame& f, const History& h) {
  CallTimeline t;
  if (!f.view) return t;
  const Names names(*f.view);
  const uint64_t now = f.view->icount;
  uint32_t selected = engine::kNone;
  if (f.point != engine::kNoIndex && f.point < h.points.size()) selected = h.points[f.point].call;

  // One lane per task life: the guest reuses task ids ("flush" gets a
  // finished client's id), and a call keeps the lane and the name of its task
  // at the time of the call.
  auto life = [&](uint32_t id, size_t at) {
    uint64_t n = 0;
    if (auto it = h.task_names.find(id); it != h.task_names.end())
      for (const NameLife& l : it->second) n += l.from <= at;
    return (uint64_t(id) << 32) | n;
  };
  std::map<uint64_t, unsigned> lane_of;
  const size_t present = f.cursor ? f.cursor - 1 : 0;
  for (const auto& task : f.view->tasks) {
    lane_of[life(task.id, present)] = unsigned(t.lanes.size());
    t.lanes.push_back({task.id, task.name.empty() ? names.task(task.id) : task.name, 1});
  }
  t.begin = ~0ull;
  // The guest numbers call depths from 1 (the first call out of a task's home
  // module); rows start at the shallowest depth seen.
  unsigned min_depth = ~0u;
  for (const auto& c : h.calls)
    if (c.enter_icount <= now) min_depth = std::min(min_depth, c.depth);
  for (const auto& c : h.calls) {
    if (c.enter_icount > now) continue;
    const Names then = names.as_of(h, c.enter_event);  // the call's own time
    const uint64_t key = life(c.task, c.enter_event);
    if (!lane_of.count(key)) {
      lane_of[key] = unsigned(t.lanes.size());
      t.lanes.push_back({c.task, then.task(c.task), 1});
    }
    CallBar b;
    b.call = c.index;
    b.task = c.task;
    b.lane = lane_of[key];
    b.depth = c.depth - min_depth;
    b.begin = c.enter_icount;
    b.open = !c.returned || c.return_icount > now;
    b.end = b.open ? now : c.return_icount;
    b.selected = c.index == selected;
    b.label = then.op(c.callee, c.op);
    b.detail = call_text(c, then) + "\ntask " + then.task(c.task) + ", depth " + std::to_string(c.depth) +
               (b.open ? "\nopen" : "\nreturned at icount " + std::to_string(c.return_icount) + ", status " +
                                         std::to_string(c.status)) +
               "\n" + std::to_string(c.inclusive.insns) + " instructions, " +
               std::to_string(c.inclusive.l1_misses) + " L1 TLB misses, " + std::to_string(c.inclusive.walks) +
               " walks (inclusive)";
    b.colour = module_colour(c.callee);
    t.lanes[b.lane].depths = std::max(t.lanes[b.lane].depths, b.depth + 1);
    t.begin = std::min(t.begin, b.begin);
    t.bars.push_back(std::move(b));
  }
  if (t.bars.empty()) t.begin = 0;
  t.end = std::max(now, t.begin + 1);
  return t;
}

int hit_bar(const CallTimeline& t, unsigned lane, unsigned depth, uint64_t icount) {
  for (size_t i = 0; i < t.bars.size(); ++i) {
    const CallBar& b = t.bars[i];
    if (b.lane == lane && b.depth == depth && icount >= b.begin && icount <= b.end) return int(i);
  }
  return -1;
}

}  // namespace slot::ui
