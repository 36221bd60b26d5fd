// Names and colours the panels share: task and module names from a view, one
// colour per module (the slot table, the call bars and the disassembly agree),
// and hex formatting.
#pragma once
#include <cstdint>
#include <string>
#include <map>
#include <unordered_map>
#include <vector>

#include "emu/engine/engine.h"

namespace slot::ui {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

struct History;
class Names {
 public:
  Names() = default;
  explicit Names(const engine::View& v);
  // These names as they were at event `at` of `h` (the name log merge()
  // keeps); ids the log does not know keep this object's name. Task ids are
  // reused, and a view after time travel knows only the names of its own
  // moment, so every history row is named this way, as of its own event.
  Names as_of(const History& h, size_t at) const;
  std::string task(uint32_t id) const;     // "app", or "task 3", or "-" for kNone
  std::string module(uint32_t id) const;   // "fs", or "module 3", or "-"
  std::string op(uint32_t module, uint32_t op) const;  // "fs.FS_READ" (engine::op_label)
  // The module whose PDPT is at physical `pdpt`, or kNone.
  uint32_t module_by_pdpt(uint64_t pdpt) const;

 private:
  std::unordered_map<uint32_t, std::string> tasks_, modules_;
  std::unordered_map<uint64_t, uint32_t> pdpts_;
  std::map<uint32_t, std::vector<std::string>> ops_;
};

// A distinct, readable colour per module id (a fixed palette, so screenshots
// and tests agree run to run).
Rgb module_colour(uint32_t module);
inline constexpr Rgb kKernelColour{96, 96, 120};
inline constexpr Rgb kPrivateColour{70, 130, 90};
inline constexpr Rgb kOtherColour{120, 100, 70};

std::string hex(uint64_t v, int digits = 0);
// "fs:_ZN2fs10read_blockEjPh+0x12" -> "fs:fs::read_block+0x12": C++ names
// demangled, parameter lists dropped (the panels are narrow).
std::string pretty_symbol(const std::string& sym);

// Appends `word` to `s`, with `sep` in between when `s` is not empty.
void join_to(std::string& s, const char* sep, const std::string& word);   // "0x1f", or zero-padded to `digits`

}  // namespace slot::ui
