#include "ui/model/events_vm.h"

#include <algorithm>

#include "mmu/arch.h"

namespace slot::ui {

const char* event_cat_name(EventCat c) {
  static const char* const n[] = {"calls", "slot changes", "CR3 loads", "invalidations", "faults",
                                  "stale", "interrupts", "tasks", "other"};
  return unsigned(c) < kEventCats ? n[unsigned(c)] : "?";
}

EventCat event_cat(engine::EventKind k) {
  using K = engine::EventKind;
  switch (k) {
    case K::Call: case K::Return: return EventCat::Calls;
    case K::SlotChange: return EventCat::Slots;
    case K::Cr3Load: case K::NewSpace: return EventCat::Cr3;
    case K::Invlpg: case K::Invpcid: case K::Cr4Write: return EventCat::Invalidations;
    case K::Exception: case K::TlbMiss: return EventCat::Faults;
    case K::Stale: return EventCat::Stale;
    case K::Interrupt: case K::SoftInt: case K::CplChange: return EventCat::Interrupts;
    case K::TaskCreate: case K::TaskExit: case K::Module: case K::Name: return EventCat::Tasks;
    default: return EventCat::Other;
  }
}

namespace {
std::string describe(const History& h, const engine::Event& e, const Names& n) {
  using K = engine::EventKind;
  switch (e.kind) {
    case K::Exception:
      return "vector " + std::to_string(e.vector) + (e.vector == 14 ? " #PF" : "") + " error " + hex(e.a) +
             (e.vector == 14 ? " CR2 " + hex(e.b) : "") + " at " + hex(e.rip);
    case K::Interrupt: case K::SoftInt: return "vector " + std::to_string(e.vector) + " at " + hex(e.rip);
    case K::Cr3Load: return hex(e.a) + " -> " + hex(e.b) + ((e.b & x86::CR3_NOFLUSH) ? " (no flush)" : "");
    case K::CplChange: return "CPL " + std::to_string(e.a) + " -> " + std::to_string(e.b);
    case K::Invlpg: return hex(e.a);
    case K::Invpcid: return "type " + std::to_string(e.a) + " PCID " + std::to_string(e.b);
    case K::Cr4Write: return hex(e.a) + " -> " + hex(e.b);
    case K::NewSpace: return "CR3 " + hex(e.a);
    case K::SlotChange: {
      const uint32_t from = n.module_by_pdpt(e.a), to = n.module_by_pdpt(e.b);
      std::string s = "slot " + std::to_string(e.slot) + ": " + hex(e.a) + " -> " + hex(e.b);
      if (from != engine::kNone || to != engine::kNone) s += " (" + n.module(from) + " -> " + n.module(to) + ")";
      return s;
    }
    case K::Call: case K::Return:
      if (e.call < h.calls.size()) {
        const auto& c = h.calls[e.call];
        if (e.kind == K::Call)
          return "#" + std::to_string(engine::call_number(c.index)) + " " + n.module(c.caller) + " -> " + n.op(c.callee, c.op) + " depth " + std::to_string(c.depth);
        return "#" + std::to_string(engine::call_number(c.index)) + " " + n.module(c.callee) + " -> " + n.module(c.caller) +
               " status " + std::to_string(int64_t(e.a));
      }
      return "#" + std::to_string(e.call);
    case K::TaskCreate: return e.text;
    case K::TaskExit: return "exit " + std::to_string(int64_t(e.a));
    case K::Module: return "module " + std::to_string(e.a) + " " + e.text;
    case K::Name: return "CR3 " + hex(e.a) + " = " + e.text;
    case K::TlbMiss: return hex(e.a);
    case K::Stale:
      return hex(e.a) + " used cached " + hex(e.b) + ", tables say " + (e.c == ~0ull ? "unmapped" : hex(e.c));
    default: return e.text;
  }
}
}  // namespace

EventRow event_row(const History& h, size_t i, size_t cursor, const Names& n) {
  const engine::Event& e = h.events[i];
  const Names at = n.as_of(h, i);  // the names of the event's own time
  EventRow r;
  r.index = i;
  r.icount = e.icount;
  r.task = at.task(e.task);
  r.kind = engine::event_name(e.kind);
  r.text = describe(h, e, at);
  r.cat = event_cat(e.kind);
  r.future = i >= cursor;
  return r;
}

std::vector<size_t> filter_events(const History& h, const EventFilter& flt, size_t cursor, const Names& n) {
  std::vector<size_t> out;
  for (size_t i = 0; i < h.events.size(); ++i) {
    const engine::Event& e = h.events[i];
    if (!flt.show[unsigned(event_cat(e.kind))]) continue;
    if (flt.task != engine::kNone && e.task != flt.task) continue;
    if (!flt.text.empty()) {
      const EventRow r = event_row(h, i, cursor, n);
      if ((r.kind + " " + r.task + " " + r.text).find(flt.text) == std::string::npos) continue;
    }
    out.push_back(i);
  }
  return out;
}

EventColumns event_columns(const History& h, const engine::View* v, const Names& n) {
  EventColumns w;
  // Digits as '0' (every digit is as wide in a monospace font, and the
  // width changes only with the number of digits).
  auto digits = [](uint64_t x) { return std::string(std::to_string(x).size(), '0'); };
  w.index = digits(std::max<size_t>(h.events.size(), 999));
  uint64_t ic = v ? v->icount : 0;
  if (!h.events.empty()) ic = std::max(ic, h.events.back().icount);
  w.icount = digits(std::max<uint64_t>(ic, 9'999'999));
  w.task = "task";
  auto longer = [](std::string& a, const std::string& b) {
    if (b.size() > a.size()) a = b;
  };
  for (const auto& [id, lives] : h.task_names)
    for (const NameLife& l : lives) longer(w.task, l.name);
  if (v)
    for (const auto& t : v->tasks) longer(w.task, n.task(t.id));
  w.kind = "kind";
  for (unsigned k = 0; k < kEventKinds; ++k) longer(w.kind, engine::event_name(engine::EventKind(k)));
  return w;
}

}  // namespace slot::ui
