// Panel 8, "Events": the engine's event log, filterable by category (calls,
// slot changes, CR3 loads, invalidations, faults, stale translations ...),
// task and text. Filtering yields indices; rows are formatted only for the
// lines on screen (docs/ARCHITECTURE.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ui/model/frame.h"
#include "ui/model/names.h"

namespace slot::ui {

enum class EventCat : uint8_t { Calls, Slots, Cr3, Invalidations, Faults, Stale, Interrupts, Tasks, Other, Count };
inline constexpr unsigned kEventCats = unsigned(EventCat::Count);
const char* event_cat_name(EventCat c);
// Every EventKind value (the last one the engine defines is Stale).
using engine::kEventKinds;
EventCat event_cat(engine::EventKind k);

struct EventFilter {
  bool show[kEventCats] = {true, true, true, true, true, true, false, true, true};
  uint32_t task = engine::kNone;  // kNone = every task
  std::string text;               // substring of the formatted row (case-sensitive)
};

struct EventRow {
  size_t index = 0;
  uint64_t icount = 0;
  std::string task;
  std::string kind;               // event_name()
  std::string text;               // "slot 1: 0x...27 -> 0x...27 (app -> fs)"
  EventCat cat = EventCat::Other;
  bool future = false;            // after the present (a reverse step left it ahead)
};

// The widest text each fixed column will hold (so the table is sized for the
// rows, not for the empty table at start-up): the largest event number and
// instruction count, the longest task name ever announced, the longest kind.
struct EventColumns {
  std::string index, icount, task, kind;
};
EventColumns event_columns(const History& h, const engine::View* v, const Names& n);

EventRow event_row(const History& h, size_t i, size_t cursor, const Names& n);
std::vector<size_t> filter_events(const History& h, const EventFilter& flt, size_t cursor, const Names& n);

}  // namespace slot::ui
