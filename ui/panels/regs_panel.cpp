// Panel 3: registers, changed-since-last-stop rows highlighted.
#include "ui/model/regs_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {
void section(const char* title, const std::vector<RegRow>& rows, int columns) {
  if (title[0] != '#') ImGui::TextDisabled("%s", title);
  if (!ImGui::BeginTable(title, columns * 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) return;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RegRow& r = rows[i];
    if (i % size_t(columns) == 0) ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", r.name.c_str());
    ImGui::TableNextColumn();
    if (r.changed) ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, kChangedBg);
    if (r.changed) text_coloured(kChangedText, r.value);
    else text(r.value);
    hover_tip(r.detail);
  }
  ImGui::EndTable();
}

void decoded(const std::vector<RegRow>& rows) {
  for (const RegRow& r : rows) {
    if (r.detail.empty()) continue;
    ImGui::TextDisabled("%-6s", r.name.c_str());
    ImGui::SameLine();
    if (r.changed) text_coloured(kChangedText, r.detail);
    else text(r.detail);
  }
}
}  // namespace

void draw_regs_panel(PanelCtx& c) {
  if (!c.f.view) return;
  const cpu::CpuState* before = c.prev && c.prev->view ? &c.prev->view->regs : nullptr;
  const RegsView v = make_regs(c.f.view->regs, before);
  // Two registers a row where two fit, else one: a narrow panel (a projector
  // at 1280x720, large type) must not cut the second column's values.
  const bool two = ImGui::GetContentRegionAvail().x >= 2.1f * ImGui::CalcTextSize("RFLAGS 0000000000000000").x;
  const int cols = two ? 2 : 1;
  section("general", v.general, cols);
  ImGui::Separator();
  std::vector<RegRow> flag_bits(v.flags.begin() + 1, v.flags.end());
  section("flags", std::vector<RegRow>(v.flags.begin(), v.flags.begin() + 1), 1);
  section("##flagbits", flag_bits, two ? 5 : 3);
  ImGui::Separator();
  section("control", v.control, cols);
  decoded(v.control);
  ImGui::Separator();
  section("segments", v.segments, cols);
  if (ImGui::CollapsingHeader("descriptor caches")) decoded(v.segments);
}

}  // namespace slot::ui
