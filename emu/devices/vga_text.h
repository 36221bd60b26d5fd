// VGA text mode as the debugger's console panel shows it. The 80x25 screen
// at 0xB8000 is plain RAM in PhysMemory (two bytes per cell: code page 437
// character, then attribute); nothing here is a device, and reading it has
// no side effects.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/phys.h"

namespace slot::emu {

inline constexpr uint64_t kVgaTextBase = 0xB8000;
inline constexpr unsigned kVgaCols = 80, kVgaRows = 25;

struct VgaCell {
  uint8_t ch;
  uint8_t attr;  // bits 3-0 foreground, 6-4 background, 7 blink
};

// The cell at (row, col); {0, 0} if that memory is not RAM.
VgaCell vga_cell(const mmu::PhysMemory& mem, unsigned row, unsigned col, uint64_t base = kVgaTextBase);

// One code page 437 character as UTF-8 (0x00 becomes a space).
std::string cp437_to_utf8(uint8_t ch);

// The screen as kVgaRows UTF-8 lines, trailing blanks removed.
std::vector<std::string> render_vga_text(const mmu::PhysMemory& mem, uint64_t base = kVgaTextBase);

}  // namespace slot::emu
