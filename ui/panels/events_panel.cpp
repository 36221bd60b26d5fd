// Panel 8: the event log, filtered by category, task and text; only the
// visible rows are formatted (ImGuiListClipper). Click a row to go there.
#include <algorithm>
#include <cstdio>

#include "ui/model/events_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

void draw_events_panel(PanelCtx& c) {
  EventsState& st = c.ui.events;
  for (unsigned k = 0; k < kEventCats; ++k) {
    if (k) ImGui::SameLine();
    ImGui::Checkbox(event_cat_name(EventCat(k)), &st.filter.show[k]);
  }
  ImGui::SetNextItemWidth(200);
  if (ImGui::InputTextWithHint("##text", "filter text", st.text, sizeof st.text)) st.filter.text = st.text;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(160);
  const std::string task_label = st.filter.task == engine::kNone ? "every task" : c.names.task(st.filter.task);
  if (ImGui::BeginCombo("task", task_label.c_str())) {
    if (ImGui::Selectable("every task", st.filter.task == engine::kNone)) st.filter.task = engine::kNone;
    if (c.f.view)
      for (const auto& t : c.f.view->tasks)
        if (ImGui::Selectable(c.names.task(t.id).c_str(), st.filter.task == t.id)) st.filter.task = t.id;
    ImGui::EndCombo();
  }
  ImGui::SameLine();
  ImGui::Checkbox("follow", &st.follow);
  const std::vector<size_t> idx = filter_events(c.h, st.filter, c.f.cursor, c.names);
  ImGui::SameLine();
  ImGui::TextDisabled("%zu of %zu events", idx.size(), c.h.events.size());

  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Resizable;
  // Columns as wide as what they will hold (not as the empty table at
  // start-up): the largest event number and icount, the longest task name
  // and kind. ImGui keeps a table's widths once sized, so the table's id
  // changes when these do (a new font, a longer name, more digits).
  const EventColumns w = event_columns(c.h, c.f.view.get(), c.names);
  auto width = [](const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x + ImGui::GetStyle().CellPadding.x * 2; };
  const float w_index = width(w.index), w_icount = width(w.icount), w_task = width(w.task), w_kind = width(w.kind);
  char id[64];
  std::snprintf(id, sizeof id, "events##%d.%d.%d.%d", int(w_index), int(w_icount), int(w_task), int(w_kind));
  const std::string table_key = id;
  // Too narrow for the columns and a readable "what": the table scrolls
  // sideways instead of squeezing (and so cutting) its columns.
  const float what_w = ImGui::CalcTextSize("slot 1: 0x1ef027 -> 0x1f6007 (fs -> blk)").x;
  const float need = w_index + w_icount + w_task + w_kind + what_w + ImGui::GetStyle().CellPadding.x * 10;
  const bool sideways = ImGui::GetContentRegionAvail().x < need;
  if (!ImGui::BeginTable(id, 5, flags | (sideways ? ImGuiTableFlags_ScrollX : 0), ImVec2(0, 0), sideways ? need : 0.0f))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, w_index);
  ImGui::TableSetupColumn("icount", ImGuiTableColumnFlags_WidthFixed, w_icount);
  ImGui::TableSetupColumn("task", ImGuiTableColumnFlags_WidthFixed, w_task);
  ImGui::TableSetupColumn("kind", ImGuiTableColumnFlags_WidthFixed, w_kind);
  ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  // Follow: after a stop, the row of the present is scrolled into view once
  // (the user may scroll away); while running, the newest rows. The row is
  // drawn even when clipped, and scrolled to where ImGui actually put it.
  // (Again when the table was re-made for new column widths: a fresh table starts at the top.)
  const bool scroll_to_present =
      st.follow && !c.s.running() && (st.followed_cursor != c.f.cursor || st.followed_table != table_key);
  // The present's row: the latest row shown at or before it (the present
  // event itself may be filtered out).
  const int present_row =
      int(std::upper_bound(idx.begin(), idx.end(), c.f.cursor ? c.f.cursor - 1 : 0) - idx.begin()) - 1;
  if (scroll_to_present) st.followed_cursor = c.f.cursor, st.followed_table = table_key;
  // The row of the present (the last event before the cursor) is marked.
  ImGuiListClipper clip;
  clip.Begin(int(idx.size()));
  if (scroll_to_present && present_row >= 0) clip.ForceDisplayRangeByIndices(present_row, present_row + 1);
  while (clip.Step()) {
    for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
      const EventRow r = event_row(c.h, idx[size_t(i)], c.f.cursor, c.names);
      ImGui::TableNextRow();
      if (r.index + 1 == c.f.cursor) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(60, 90, 160, 160));
      if (i == present_row && scroll_to_present) ImGui::SetScrollHereY(0.5f);
      if (r.future) ImGui::PushStyleColor(ImGuiCol_Text, kDimText);
      ImGui::TableNextColumn();
      ImGui::PushID(int(r.index));
      if (ImGui::Selectable(std::to_string(r.index).c_str(), false, ImGuiSelectableFlags_SpanAllColumns))
        c.s.go_to(engine::landing_icount(c.h.events[r.index].kind, r.icount));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("click: go to icount %llu", (unsigned long long)r.icount);
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::Text("%llu", (unsigned long long)r.icount);
      ImGui::TableNextColumn();
      text(r.task);
      ImGui::TableNextColumn();
      text(r.kind);
      ImGui::TableNextColumn();
      text(r.text);
      if (r.future) ImGui::PopStyleColor();
    }
  }
  if (st.follow && c.s.running()) ImGui::SetScrollHereY(1.0f);
  ImGui::EndTable();
}

}  // namespace slot::ui
