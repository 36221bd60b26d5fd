// Panel 9: the serial transcript and the VGA text screen.
#include "ui/model/console_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {
void vga(const VgaScreen& s) {
  if (s.cells.empty()) return;
  const float cw = ImGui::CalcTextSize("M").x, ch = ImGui::GetTextLineHeight();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(o, ImVec2(o.x + cw * float(s.cols), o.y + ch * float(s.rows)), IM_COL32(0, 0, 0, 255));
  for (unsigned r = 0; r < s.rows; ++r)
    for (unsigned c = 0; c < s.cols; ++c) {
      const VgaGlyph& g = s.cells[r * s.cols + c];
      const ImVec2 p(o.x + cw * float(c), o.y + ch * float(r));
      if (!(g.bg == Rgb{0, 0, 0})) dl->AddRectFilled(p, ImVec2(p.x + cw, p.y + ch), col32(g.bg));
      if (g.ch != " ") dl->AddText(p, col32(g.fg), g.ch.c_str());
    }
  ImGui::Dummy(ImVec2(cw * float(s.cols), ch * float(s.rows)));
}
}  // namespace

void draw_console_panel(PanelCtx& c) {
  ConsoleState& st = c.ui.console;
  ImGui::Checkbox("serial (COM1)", &st.show_serial);
  ImGui::SameLine();
  ImGui::Checkbox("VGA text screen", &st.show_vga);
  const VgaScreen screen = make_vga(c.f);
  if (st.show_vga) {
    if (screen.blank) ImGui::TextDisabled("VGA: blank");
    else if (ImGui::BeginChild("vga", ImVec2(0, ImGui::GetTextLineHeight() * 26), false,
                               ImGuiWindowFlags_HorizontalScrollbar)) {
      vga(screen);
    }
    if (!screen.blank) ImGui::EndChild();
  }
  if (st.show_serial) {
    ImGui::BeginChild("serial", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    const std::vector<std::string> lines = split_lines(console_text(c.s.serial(), c.f), 5000);
    ImGuiListClipper clip;
    clip.Begin(int(lines.size()));
    while (clip.Step())
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) text(lines[size_t(i)]);
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 4 || c.s.running()) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
  }
}

}  // namespace slot::ui
