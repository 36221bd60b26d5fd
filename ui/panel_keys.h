// The panels' names as the command line and scripts take them (--panel,
// --open, `open`, `screenshot PATH PANEL`), in PanelId order: the one list,
// here without ImGui so that a build without the UI can still describe the
// options of `slotlab debug` and `slotlab lab`.
#pragma once
#include <string>

namespace slot::ui {

inline constexpr const char* kPanelKeys[] = {"slots",  "calls", "registers", "disassembly", "memory",
                                             "walk",   "tlb",   "events",    "console"};

// "slots calls registers disassembly memory walk tlb events console"
inline const char* panel_names() {
  static const std::string all = [] {
    std::string s;
    for (const char* k : kPanelKeys) {
      if (!s.empty()) s += ' ';
      s += k;
    }
    return s;
  }();
  return all.c_str();
}

}  // namespace slot::ui
