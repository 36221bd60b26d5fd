#include "ui/model/status.h"

#include <cstdio>

#include "emu/engine/point_spec.h"
#include "ui/model/names.h"

namespace slot::ui {

uint32_t current_call(const engine::View& v) {
  for (const engine::TaskInfo& t : v.tasks)
    if (t.id == v.task && !t.stack.empty()) return t.stack.back();
  return engine::kNone;
}

std::string status_text(const engine::View& v, const Frame& f, const History& h) {
  const Names n(v);
  std::string st;
  if (v.running) {
    st = (v.activity.empty() ? std::string("running") : v.activity) + " (F5 or Esc: stop)";
  } else {
    st = "stopped: " + engine::stop_word(v.last_stop, f.points);
    if (!v.last_stop.message.empty()) st += " (" + v.last_stop.message + ")";
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, " | icount %llu", (unsigned long long)v.icount);
  st += buf;
  const uint32_t k = current_call(v);
  if (k != engine::kNone && k < h.calls.size()) {
    const engine::CallRecord& c = h.calls[k];
    st += " | call " + std::to_string(engine::call_number(k)) + " " + n.module(c.caller) + " -> " +
          n.op(c.callee, c.op);
  }
  st += " | task " + n.task(v.task) + " | module slot: " + n.module(v.module);
  std::snprintf(buf, sizeof buf, " | CPL %u | %s", unsigned(v.regs.cpl()), hex(v.regs.rip).c_str());
  st += buf;
  if (!f.rip_symbol.empty()) st += " " + f.rip_symbol;
  return st;
}

}  // namespace slot::ui
