// Small ImGui helpers the panels share.
#pragma once
#include <imgui.h>

#include <cstdint>
#include <string>

#include "ui/model/names.h"
#include "ui/panels/panels.h"

namespace slot::ui {

inline ImU32 col32(Rgb c, int a = 255) { return IM_COL32(c.r, c.g, c.b, a); }
inline ImVec4 col4(Rgb c, float a = 1.0f) { return ImVec4(c.r / 255.f, c.g / 255.f, c.b / 255.f, a); }

inline constexpr ImU32 kChangedBg = IM_COL32(200, 150, 20, 110);   // "changed since the last stop"
inline const ImVec4 kChangedText{1.0f, 0.75f, 0.2f, 1.0f};
inline const ImVec4 kDimText{0.55f, 0.55f, 0.6f, 1.0f};

// Text that, when clicked, sends `va` to the page-walk panel (tooltip says so).
void address_link(PanelCtx& c, uint64_t va, const char* fmt_label = nullptr);
// A text input that accepts an address or register name; true when entered.
bool address_input(const char* id, char* buf, size_t n, const cpu::CpuState& regs, uint64_t& out);
// Tooltip with `text` when the last item is hovered.
void hover_tip(const std::string& text);
void text(const std::string& s);
void text_coloured(const ImVec4& c, const std::string& s);
void text_wrapped_coloured(const ImVec4& c, const std::string& s);   // wraps at the panel's edge

}  // namespace slot::ui
