// Panel 4: disassembly (Capstone) with per-module symbols, the current
// instruction, and breakpoints toggled by clicking the gutter.
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
  ImGui::BeginChild("code", ImVec2(0, 0), false);
  const float gutter = ImGui::GetTextLineHeight();
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
    if (r.current) {
      const ImVec2 q = ImGui::GetCursorScreenPos();
      dl->AddRectFilled(q, ImVec2(q.x + ImGui::GetContentRegionAvail().x, q.y + ImGui::GetTextLineHeight()),
                        IM_COL32(60, 90, 160, 160));
    }
    ImGui::Text("%s %016llx", r.current ? "=>" : "  ", (unsigned long long)r.addr);
    ImGui::SameLine();
    ImGui::TextDisabled("%-26s", r.bytes.c_str());
    ImGui::SameLine();
    text(r.text);
    ImGui::PopID();
  }
  ImGui::EndChild();
}

}  // namespace slot::ui
