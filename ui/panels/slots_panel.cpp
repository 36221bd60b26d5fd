// Panel 1: PML4 slots per task, with the timeline slider over every
// cross-module call and return (ui/model/slots_vm.h has the rules).
#include <algorithm>

#include "ui/model/slots_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {

void timeline(PanelCtx& c) {
  SlotsState& st = c.ui.slots;
  const int n = int(c.h.points.size());
  int pos = st.scrub ? std::min(st.point, n) : n;
  const std::string label = pos >= n ? "now" : point_label(c.h, size_t(pos), c.names);
  // One line (the table below gets the height): the buttons, then the slider.
  if (ImGui::Button("<") && n > 0) {
    st.point = std::max(0, (st.scrub ? st.point : n) - 1);
    st.scrub = true;
  }
  hover_tip("the previous call or return");
  ImGui::SameLine();
  if (ImGui::Button(">") && st.scrub) {
    st.point += 1;
    st.scrub = st.point < n;
  }
  ImGui::SameLine();
  if (ImGui::Button("now")) st.scrub = false;
  ImGui::SameLine();
  ImGui::BeginDisabled(!st.scrub || st.point >= n);
  if (ImGui::Button("go there") && st.point < n) {
    const size_t ev = c.h.points[size_t(st.point)].event;
    if (ev < c.h.events.size()) c.s.go_to(engine::landing_icount(c.h.events[ev].kind, c.h.events[ev].icount));
    st.scrub = false;
  }
  ImGui::EndDisabled();
  hover_tip("move the machine to this point (forward or back in time)");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::SliderInt("##timeline", &pos, 0, n, label.c_str())) {
    st.scrub = pos < n;
    st.point = pos;
  }
  hover_tip(std::to_string(n) + " calls and returns: drag to see each task's PML4 as it was then");
}

void legend(PanelCtx& c, const SlotTable& t) {
  std::set<uint32_t> mods;
  for (const auto& r : t.rows)
    for (const auto& cell : r.cells)
      if (cell.kind == SlotKind::Module) mods.insert(cell.module);
  auto chip = [](Rgb col, const std::string& name) {
    ImGui::ColorButton(("##" + name).c_str(), col4(col), ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
    ImGui::SameLine(0, 4);
    text(name);
    ImGui::SameLine(0, 14);
  };
  for (uint32_t m : mods) chip(module_colour(m), c.names.module(m));
  chip(kPrivateColour, "task-private");
  chip(kKernelColour, "kernel");
  ImGui::PushStyleColor(ImGuiCol_Text, kChangedText);
  ImGui::TextUnformatted("[*] changed at this event");
  ImGui::PopStyleColor();
}

}  // namespace

void draw_slots_panel(PanelCtx& c) {
  timeline(c);
  const SlotTable t = make_slot_table(c.f, c.h, c.ui.slots.seen);
  for (const auto& col : t.columns)
    if (!col.gap()) c.ui.slots.seen.insert(col.first);
  legend(c, t);
  if (t.rows.empty()) {
    ImGui::TextDisabled("no address space seen yet (the guest has not enabled paging)");
    return;
  }
  const int ncols = int(t.columns.size()) + 1;
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingFixedFit;
  if (ncols > 64 || !ImGui::BeginTable("slots", ncols, flags)) return;
  const float cell_w = ImGui::CalcTextSize("task-private*").x + 8;
  ImGui::TableSetupScrollFreeze(1, 1);
  ImGui::TableSetupColumn("task", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("init / module").x + 16);
  for (const auto& col : t.columns)
    ImGui::TableSetupColumn(col.label.c_str(), ImGuiTableColumnFlags_WidthFixed,
                            col.gap() ? ImGui::CalcTextSize(col.label.c_str()).x + 8 : cell_w);
  ImGui::TableHeadersRow();
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const SlotRow& row = t.rows[r];
    ImGui::TableNextRow();
    // The selected task (a click on its name, or a script's `select task`).
    if (row.task != engine::kNone && row.task == c.ui.selected_task)
      ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(90, 70, 150, 170));
    ImGui::TableSetColumnIndex(0);
    text_coloured(row.current ? ImVec4(1, 1, 1, 1) : ImVec4(0.8f, 0.8f, 0.85f, 1),
                  (row.current ? "> " : "  ") + row.label);
    if (ImGui::IsItemClicked() && row.task != engine::kNone)
      c.ui.selected_task = c.ui.selected_task == row.task ? engine::kNone : row.task;
    hover_tip("CR3 " + hex(row.cr3) + (row.current ? "  (running now)" : "") + (row.is_new ? "\nnew at this event" : ""));
    for (size_t k = 0; k < row.cells.size(); ++k) {
      const SlotCell& cell = row.cells[k];
      const SlotColumn& col = t.columns[k];
      ImGui::TableSetColumnIndex(int(k) + 1);
      if (col.gap()) {
        ImGui::TextDisabled("...");
        hover_tip(cell.detail);
        continue;
      }
      if (cell.kind != SlotKind::Empty) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, col32(cell.colour, 200));
      ImGui::PushID(int(r * 1024 + k));
      const std::string label = cell.kind == SlotKind::Empty ? (cell.changed ? "(unmapped)" : "") : cell.text;
      const uint64_t walk_at = cell_walk_address(cell, col.first, c.f.view.get());
      if (ImGui::Selectable((label + (cell.changed ? "*" : "") + "##c").c_str(), false, 0, ImVec2(cell_w - 8, 0)))
        c.ui.show_walk(walk_at);
      if (cell.changed) {
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - 3, a.y - 1), ImVec2(b.x + 3, b.y + 1),
                                            IM_COL32(255, 200, 40, 255), 0, 0, 2.5f);
      }
      hover_tip(cell.detail.empty() ? "empty" : cell.detail + "\nclick: page walk of " + hex(walk_at));
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
}

}  // namespace slot::ui
