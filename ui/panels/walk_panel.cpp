// Panel 6: the page walk of one virtual address through the current tables,
// level by level, and what the TLB and paging-structure caches would do. As a
// tree (PML4 -> PDPT -> PD -> PT -> frame) or as a table; a walk can be pinned
// and compared side by side with another address or another moment (before
// and after a slot swap), the entries that differ framed.
#include "ui/model/glossary.h"
#include "ui/model/walk_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {

const ImVec4 kDiffers{1.0f, 0.75f, 0.2f, 1.0f};

void rows_table(const WalkView& v) {
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit |
                                ImGuiTableFlags_ScrollX;
  if (!ImGui::BeginTable("walk", 6, flags, ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 7))) return;
  for (const char* h : {"level", "index", "entry at", "value", "bits", "note"}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  for (const WalkRow& r : v.rows) {
    ImGui::TableNextRow();
    if (r.failed) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(150, 40, 40, 150));
    else if (r.from_psc) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(40, 90, 140, 120));
    ImGui::TableNextColumn();
    text(r.level);
    hover_tip(glossary(r.level));
    ImGui::TableNextColumn();
    ImGui::Text("%u", r.index);
    ImGui::TableNextColumn();
    text(hex(r.entry_pa));
    ImGui::TableNextColumn();
    text(hex(r.raw, 16));
    ImGui::TableNextColumn();
    text(r.bits);
    hover_tip(explain_bits(r.bits));
    ImGui::TableNextColumn();
    text(r.note);
    if (r.from_psc) hover_tip(glossary("PSC"));
  }
  ImGui::EndTable();
}

// One tree, drawn as indented levels with connectors.
void tree(const WalkTree& t) {
  text_coloured(kDimText, t.label);
  text("CR3 " + hex(t.cr3) + "   " + hex(t.linear, 16));
  hover_tip(glossary("CR3"));
  const float step = ImGui::GetFontSize();
  for (size_t i = 0; i < t.levels.size(); ++i) {
    const TreeLevel& l = t.levels[i];
    ImGui::Indent(step);
    const ImVec4 colour = l.failed ? ImVec4(1.0f, 0.45f, 0.4f, 1) : l.differs ? kDiffers : ImVec4(0.9f, 0.9f, 0.95f, 1);
    text_coloured(colour, "\\- " + l.level + " [" + std::to_string(l.index) + "] in table " + hex(l.table));
    hover_tip(glossary(l.level));
    if (l.differs) {
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      ImGui::GetWindowDrawList()->AddRect(ImVec2(a.x - 2, a.y - 1), ImVec2(b.x + 2, b.y + 1), IM_COL32(255, 200, 40, 255));
    }
    ImGui::Indent(step * 1.5f);
    text_coloured(colour, hex(l.raw, 16) + "  " + l.bits);
    hover_tip(explain_bits(l.bits));
    text_coloured(l.psc ? ImVec4(0.5f, 0.75f, 1.0f, 1) : kDimText, "served by " + l.served);
    if (l.psc) hover_tip(glossary("PSC"));
    ImGui::Unindent(step * 1.5f);
  }
  ImGui::Indent(step);
  text_coloured(!t.ok ? ImVec4(1.0f, 0.45f, 0.4f, 1) : t.end_differs ? kDiffers : ImVec4(0.5f, 1.0f, 0.5f, 1),
                "\\- " + t.end);
  ImGui::Unindent(step * float(t.levels.size() + 1));
}

}  // namespace

void draw_walk_panel(PanelCtx& c) {
  WalkState& st = c.ui.walk;
  if (!c.f.view) return;
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("0x0000000000000000").x + ImGui::GetStyle().FramePadding.x * 2);
  uint64_t a = 0;
  if (address_input("##walkaddr", st.input, sizeof st.input, c.f.view->regs, a)) c.ui.show_walk(a);
  hover_tip("an address or register (rip, rsp, cr2); or click an address in any panel");
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < ImGui::GetFrameHeight() + ImGui::CalcTextSize("tree").x) ImGui::NewLine();
  ImGui::Checkbox("tree", &st.tree);
  if (!st.active || !c.f.has_walk) {
    ImGui::TextDisabled("enter an address, or click one in another panel");
    return;
  }
  const WalkView v = make_walk(c.f.walk);
  ImGui::SameLine();
  // On a narrow panel the button goes to the next line rather than past the edge.
  if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("unpin").x + ImGui::GetStyle().FramePadding.x * 2)
    ImGui::NewLine();
  const std::string now_label = "icount " + std::to_string(c.f.view->icount) + ", task " + c.names.task(c.f.view->task);
  if (ImGui::SmallButton(st.pinned ? "unpin" : "pin")) {
    st.pinned = !st.pinned;
    if (st.pinned) st.pin = make_walk_tree(v, c.f.view->regs.cr3, "pinned: " + now_label);
  }
  hover_tip("keep this walk and compare it side by side with another address or moment\n"
            "(pin, then step over a slot swap: the entries that differ are framed)");
  // The verdicts first and wrapped: a narrow panel must not cut "STALE".
  text_wrapped_coloured(v.ok ? ImVec4(0.5f, 1.0f, 0.5f, 1) : ImVec4(1.0f, 0.45f, 0.4f, 1), v.result);
  text_wrapped_coloured(v.stale ? ImVec4(1.0f, 0.4f, 0.3f, 1) : kDimText, v.cache);
  if (v.stale) hover_tip(glossary("STALE"));
  if (!st.tree && !st.pinned) {
    ImGui::Text("walk of %s in CR3 %s", hex(v.linear, 16).c_str(), hex(c.f.view->regs.cr3).c_str());
    rows_table(v);
    return;
  }
  WalkTree now = make_walk_tree(v, c.f.view->regs.cr3, "now: " + now_label);
  ImGui::BeginChild("trees", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  if (!st.pinned) {
    tree(now);
  } else {
    WalkTree pin = st.pin;
    compare_trees(pin, now);
    if (ImGui::BeginTable("compare", 2, ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      tree(pin);
      ImGui::TableNextColumn();
      tree(now);
      ImGui::EndTable();
    }
  }
  ImGui::EndChild();
}

}  // namespace slot::ui
