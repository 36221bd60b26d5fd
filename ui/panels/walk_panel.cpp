// Panel 6: the page walk of one virtual address through the current tables,
// level by level, and what the TLB and paging-structure caches would do.
#include "ui/model/walk_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

void draw_walk_panel(PanelCtx& c) {
  WalkState& st = c.ui.walk;
  if (!c.f.view) return;
  ImGui::SetNextItemWidth(260);
  uint64_t a = 0;
  if (address_input("virtual address##walk", st.input, sizeof st.input, c.f.view->regs, a)) c.ui.show_walk(a);
  hover_tip("an address or register (rip, rsp, cr2); or click an address in any panel");
  if (!st.active || !c.f.has_walk) {
    ImGui::TextDisabled("enter an address, or click one in another panel");
    return;
  }
  const WalkView v = make_walk(c.f.walk);
  ImGui::Text("walk of %s in CR3 %s", hex(v.linear, 16).c_str(), hex(c.f.view->regs.cr3).c_str());
  // The verdicts first and wrapped: a narrow panel must not cut "STALE".
  text_wrapped_coloured(v.ok ? ImVec4(0.5f, 1.0f, 0.5f, 1) : ImVec4(1.0f, 0.45f, 0.4f, 1), v.result);
  text_wrapped_coloured(v.stale ? ImVec4(1.0f, 0.4f, 0.3f, 1) : kDimText, v.cache);
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_ScrollX;
  if (ImGui::BeginTable("walk", 6, flags, ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 7))) {
    for (const char* h : {"level", "index", "entry at", "value", "bits", "note"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const WalkRow& r : v.rows) {
      ImGui::TableNextRow();
      if (r.failed) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(150, 40, 40, 150));
      else if (r.from_psc) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(40, 90, 140, 120));
      ImGui::TableNextColumn();
      text(r.level);
      ImGui::TableNextColumn();
      ImGui::Text("%u", r.index);
      ImGui::TableNextColumn();
      text(hex(r.entry_pa));
      ImGui::TableNextColumn();
      text(hex(r.raw, 16));
      ImGui::TableNextColumn();
      text(r.bits);
      ImGui::TableNextColumn();
      text(r.note);
    }
    ImGui::EndTable();
  }
}

}  // namespace slot::ui
