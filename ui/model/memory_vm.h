// Panel 5, "Memory": hex and ASCII rows of virtual memory (through the
// current page tables, side-effect free) or physical memory.
#pragma once
#include <string>
#include <vector>

#include "ui/model/frame.h"

namespace slot::ui {

struct MemLine {
  uint64_t addr = 0;
  std::string hex;     // "48 8b 05 ..", "?? ?? .." when unmapped
  std::string ascii;   // printable bytes, '.' otherwise
  bool ok = false;
};

std::vector<MemLine> make_memory(const Frame& f);
// Parses "0x1234", "1234" (hex), or a register name ("rsp", "rip", "cr2").
bool parse_address(const std::string& text, const cpu::CpuState& regs, uint64_t& out);

}  // namespace slot::ui
