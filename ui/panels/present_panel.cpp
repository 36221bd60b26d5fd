// Presentation mode (key P, --present): the PML4-slot story for a projector.
// The slot table fills the window in large type with named columns (null
// guard, module area, task-private, kernel -- named from what the cells hold,
// ui/model/slots_vm.h), the slot a call rewrote reads "app -> fs", and the
// running task's call stack stands beside it. Page Down / Page Up (what a
// presenter's remote sends) go to the next / previous call.
#include <algorithm>

#include "ui/model/calls_vm.h"
#include "ui/model/slots_vm.h"
#include "ui/model/status.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {

void headline(PanelCtx& c) {
  const engine::View* v = c.f.view.get();
  if (!v) return;
  const uint32_t k = current_call(*v);
  std::string s;
  if (k != engine::kNone && k < c.h.calls.size()) {
    const engine::CallRecord& call = c.h.calls[k];
    s = "call " + std::to_string(engine::call_number(k)) + ":  " + c.names.module(call.caller) + " -> " +
        c.names.op(call.callee, call.op);
  } else {
    s = "no module call open";
  }
  s += "    task " + c.names.task(v->task) + "    icount " + std::to_string(v->icount);
  text_coloured(ImVec4(1.0f, 0.85f, 0.4f, 1), s);
}

void table(const SlotTable& t) {
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchProp;
  const int ncols = int(t.columns.size()) + 1;
  if (ncols > 64 || !ImGui::BeginTable("present", ncols, flags)) return;
  ImGui::TableSetupScrollFreeze(1, 2);
  ImGui::TableSetupColumn("task", ImGuiTableColumnFlags_WidthStretch, 1.4f);
  for (const auto& col : t.columns)
    ImGui::TableSetupColumn(col.label.c_str(), ImGuiTableColumnFlags_WidthStretch, col.gap() ? 0.35f : 1.0f);
  // Two header rows: what each slot is for, then its number.
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("PML4 slot");
  for (size_t k = 0; k < t.columns.size(); ++k) {
    ImGui::TableSetColumnIndex(int(k) + 1);
    if (!t.columns[k].gap()) text(slot_role(t, k));
  }
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  ImGui::TableSetColumnIndex(0);
  ImGui::TextDisabled("task");
  for (size_t k = 0; k < t.columns.size(); ++k) {
    ImGui::TableSetColumnIndex(int(k) + 1);
    ImGui::TextDisabled("%s", t.columns[k].label.c_str());
  }
  for (const SlotRow& row : t.rows) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    text_coloured(row.current ? ImVec4(1, 1, 1, 1) : ImVec4(0.75f, 0.75f, 0.8f, 1),
                  (row.current ? "> " : "  ") + row.label);
    for (size_t k = 0; k < row.cells.size(); ++k) {
      const SlotCell& cell = row.cells[k];
      ImGui::TableSetColumnIndex(int(k) + 1);
      if (t.columns[k].gap()) continue;
      if (cell.kind != SlotKind::Empty) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, col32(cell.colour, 210));
      const std::string now = cell.kind == SlotKind::Empty ? "empty" : cell.text;
      if (cell.changed) {
        text_coloured(ImVec4(1, 1, 1, 1), cell.was + " -> " + now);
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - 4, a.y - 2), ImVec2(b.x + 4, b.y + 2),
                                            IM_COL32(255, 200, 40, 255), 0, 0, 3.0f);
      } else if (cell.kind != SlotKind::Empty) {
        text(now);
      }
      hover_tip(cell.detail);
    }
  }
  ImGui::EndTable();
}

void stack(PanelCtx& c) {
  const engine::View* v = c.f.view.get();
  ImGui::TextDisabled("call stack");
  if (!v) return;
  for (const TaskStack& t : make_call_stacks(c.f, c.h)) {
    if (t.task != v->task) continue;
    text(t.name + ":");
    if (t.lines.empty()) ImGui::TextDisabled("(no open call)");
    for (const StackLine& l : t.lines) {
      ImGui::Indent(float(l.depth) * ImGui::GetFontSize());
      text_coloured(col4(l.colour), l.text.substr(0, l.text.find("  (")));
      ImGui::Unindent(float(l.depth) * ImGui::GetFontSize());
    }
  }
}

}  // namespace

void draw_present_panel(PanelCtx& c) {
  headline(c);
  ImGui::Separator();
  const SlotTable t = make_slot_table(c.f, c.h, c.ui.slots.seen);
  const float stack_w = ImGui::GetContentRegionAvail().x * 0.28f;
  const float foot = ImGui::GetFrameHeightWithSpacing();
  ImGui::BeginChild("table", ImVec2(-stack_w, -foot));
  if (t.rows.empty()) ImGui::TextDisabled("no address space yet: press Page Down for the first call");
  else table(t);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("stack", ImVec2(0, -foot), true);
  stack(c);
  ImGui::EndChild();
  ImGui::TextDisabled("Page Down / F8: next call    Page Up / Ctrl+F8: previous call    Esc: leave");
}

}  // namespace slot::ui
