// Panel 4, "Disassembly": Capstone lines (gathered on the engine thread) with
// the current instruction, function labels per module, and breakpoints.
#pragma once
#include <string>
#include <vector>

#include "ui/model/frame.h"

namespace slot::ui {

struct CodeRow {
  uint64_t addr = 0;
  std::string label;     // "fs:module_main:" above a function's first line, else ""
  std::string bytes;     // "48 8b 05"
  std::string text;
  bool current = false;  // RIP
  bool cause = false;    // the instruction that caused the last stop (StopInfo::cause_rip)
  int point = -1;        // id of an Exec stop point at this address, or -1
};

std::vector<CodeRow> make_code(const Frame& f);
// The id of an Exec breakpoint at `addr`, or -1.
int exec_point_at(const Frame& f, uint64_t addr);

}  // namespace slot::ui
