// Panel 2, "Module calls": each task's stack of open cross-module calls, and a
// profiler-style timeline: one lane per task, one bar per call from its entry
// to its return (or to now while open), nested calls one row deeper.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ui/model/frame.h"
#include "ui/model/names.h"

namespace slot::ui {

struct StackLine {
  uint32_t call = 0;
  unsigned depth = 0;
  std::string text;     // "app -> fs op 1  (call #3, icount 12345)"
  Rgb colour;           // the callee's
};
struct TaskStack {
  uint32_t task = engine::kNone;
  std::string name;
  std::vector<StackLine> lines;   // outermost first
};

struct CallBar {
  uint32_t call = 0, task = engine::kNone;
  unsigned lane = 0, depth = 0;   // lane = index into CallTimeline::lanes; depth: row in the lane (0 = outermost)
  uint64_t begin = 0, end = 0;    // instruction counts
  bool open = false;              // not returned (at the frame's time)
  bool selected = false;          // the call of the history point on show
  std::string label;              // "fs op 1"
  std::string detail;             // tooltip
  Rgb colour;
};
struct CallLane {
  uint32_t task = engine::kNone;
  std::string name;
  unsigned depths = 1;            // rows needed (deepest call + 1)
};
struct CallTimeline {
  std::vector<CallLane> lanes;
  std::vector<CallBar> bars;
  uint64_t begin = 0, end = 0;    // the whole range: first call .. now
};

std::vector<TaskStack> make_call_stacks(const Frame& f, const History& h);
// Calls that entered after the frame's instruction count (a reverse step left
// them in the future) are left out.
CallTimeline make_call_timeline(const Frame& f, const History& h);

// The call bar under x (an instruction count) in lane/depth, or -1.
int hit_bar(const CallTimeline& t, unsigned lane, unsigned depth, uint64_t icount);

}  // namespace slot::ui
