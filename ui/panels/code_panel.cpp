// Panel 4: disassembly (Capstone) with per-module symbols, the current
// instruction, and breakpoints toggled by clicking the gutter.
#include "emu/engine/point_spec.h"
#include "ui/model/code_vm.h"
#include "ui/model/memory_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

void draw_code_panel(PanelCtx& c) {
  CodeState& st = c.ui.code;
  if (!c.f.view) return;
  ImGui::Checkbox("follow RIP", &st.follow_rip);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(220);
  uint64_t a = 0;
  if (address_input("address##code", st.input, sizeof st.input, c.f.view->regs, a)) {
    st.addr = a;
    st.follow_rip = false;
  }
  hover_tip("an address, or a register name (rip, rsp ...); Enter to show");
  ImGui::SameLine();
  text_coloured(kDimText, c.f.rip_symbol.empty() ? "" : "at " + c.f.rip_symbol);
  const std::vector<CodeRow> rows = make_code(c.f);
  ImGui::BeginChild("code", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  const float gutter = ImGui::GetTextLineHeight();
  // Narrow panels drop the bytes before they cut an operand.
  const float need = ImGui::CalcTextSize("=> ffffffff80106d28 ").x + gutter + ImGui::CalcTextSize("mov qword ptr [rbp - 0x28], rax").x;
  const bool show_bytes = ImGui::GetContentRegionAvail().x > need + ImGui::CalcTextSize("48 8b 05 00 00 00 00 00..").x;
  const std::string why = c.f.view ? engine::stop_word(c.f.view->last_stop, c.f.points) : "";
  for (const CodeRow& r : rows) {
    ImGui::PushID(reinterpret_cast<const void*>(static_cast<uintptr_t>(r.addr)));
    if (!r.label.empty()) text_coloured(ImVec4(0.55f, 0.8f, 1.0f, 1.0f), r.label + ":");
    // Gutter: a red dot for a breakpoint; click toggles.
    const ImVec2 p = ImGui::GetCursorScreenPos();
    if (ImGui::InvisibleButton("bp", ImVec2(gutter, gutter))) c.s.toggle_breakpoint(r.addr);
    hover_tip(r.point >= 0 ? "breakpoint #" + std::to_string(r.point) + ": click to remove"
                           : "click: breakpoint here");
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 centre(p.x + gutter * 0.5f, p.y + gutter * 0.5f);
    if (r.point >= 0) dl->AddCircleFilled(centre, gutter * 0.35f, IM_COL32(230, 50, 50, 255));
    else if (ImGui::IsItemHovered()) dl->AddCircle(centre, gutter * 0.35f, IM_COL32(230, 50, 50, 160));
    ImGui::SameLine();
    const ImVec2 q = ImGui::GetCursorScreenPos();
    const ImVec2 q1(q.x + ImGui::GetContentRegionAvail().x, q.y + ImGui::GetTextLineHeight());
    if (r.current) dl->AddRectFilled(q, q1, IM_COL32(60, 90, 160, 160));
    if (r.cause) dl->AddRect(q, q1, IM_COL32(255, 90, 60, 255), 0, 0, 2.0f);
    // Narrow: the address without its leading zeros, so the operands fit.
    ImGui::Text(show_bytes ? "%s %016llx" : "%s %llx", r.current ? "=>" : r.cause ? "!>" : "  ",
                (unsigned long long)r.addr);
    if (r.cause) hover_tip("this instruction caused the stop (" + why + ")");
    // Follow RIP: bring the current line into view once per new RIP (the
    // user may scroll away afterwards).
    if (r.current && st.follow_rip && st.scrolled_to != r.addr) {
      ImGui::SetScrollHereY(0.33f);
      st.scrolled_to = r.addr;
    }
    ImGui::SameLine();
    if (show_bytes) {
      ImGui::TextDisabled("%-26s", r.bytes.c_str());
      ImGui::SameLine();
    }
    text(r.text);
    if (r.cause && !r.current) {
      ImGui::SameLine();
      text_coloured(ImVec4(1.0f, 0.5f, 0.35f, 1), "<- " + why);
    }
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace slot::ui
