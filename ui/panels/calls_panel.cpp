// Panel 2: each task's stack of open module calls, and a profiler-style
// timeline of call bars per task; clicking a bar jumps to that call.
#include <algorithm>
#include <cmath>

#include "ui/model/calls_vm.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

namespace {

void stacks(PanelCtx& c) {
  const auto st = make_call_stacks(c.f, c.h);
  if (st.empty()) ImGui::TextDisabled("no tasks announced yet");
  for (const auto& t : st) {
    if (t.task == c.ui.selected_task) text_coloured(ImVec4(0.75f, 0.6f, 1.0f, 1), t.name + ":");
    else ImGui::Text("%s:", t.name.c_str());
    ImGui::SameLine();
    if (t.lines.empty()) {
      ImGui::TextDisabled("(no open call)");
      continue;
    }
    for (size_t i = 0; i < t.lines.size(); ++i) {
      const StackLine& l = t.lines[i];
      if (i) {
        ImGui::SameLine();
        ImGui::TextDisabled(">");
        ImGui::SameLine();
      }
      ImGui::PushStyleColor(ImGuiCol_Button, col4(l.colour, 0.85f));
      ImGui::PushID(int(l.call));
      const std::string label = l.text.substr(0, l.text.find("  ("));
      if (ImGui::SmallButton(label.c_str()) && l.call < c.h.calls.size())
        c.s.go_to(engine::landing_icount(engine::EventKind::Call, c.h.calls[l.call].enter_icount));
      hover_tip(l.text + "\nclick: go to this call");
      ImGui::PopID();
      ImGui::PopStyleColor();
    }
  }
}

void bars(PanelCtx& c) {
  const CallTimeline t = make_call_timeline(c.f, c.h);
  CallsState& st = c.ui.calls;
  ImGui::SetNextItemWidth(160);
  ImGui::SliderFloat("zoom", &st.zoom, 1.0f, 200.0f, "%.0fx", ImGuiSliderFlags_Logarithmic);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-FLT_MIN);
  ImGui::SliderFloat("##scroll", &st.scroll, 0.0f, 1.0f, "scroll %.2f");
  if (t.bars.empty()) {
    ImGui::TextDisabled("no cross-module call yet");
    return;
  }
  const float row_h = ImGui::GetTextLineHeight() + 4;
  const float label_w = ImGui::CalcTextSize("init-0000").x;
  unsigned rows = 0;
  for (const auto& l : t.lanes) rows += l.depths;
  ImGui::BeginChild("bars", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float width = std::max(50.0f, ImGui::GetContentRegionAvail().x - label_w);
  // Visible icount range from zoom and scroll.
  const double span = double(t.end - t.begin) / st.zoom;
  const double start = double(t.begin) + (double(t.end - t.begin) - span) * st.scroll;
  auto x_of = [&](uint64_t ic) { return o.x + label_w + float((double(ic) - start) / span * width); };
  std::vector<float> lane_y;
  float y = o.y;
  for (const auto& l : t.lanes) {
    lane_y.push_back(y);
    dl->AddText(ImVec2(o.x, y + 2), IM_COL32(220, 220, 230, 255), l.name.c_str());
    dl->AddLine(ImVec2(o.x, y), ImVec2(o.x + label_w + width, y), IM_COL32(90, 90, 100, 255));
    y += row_h * float(l.depths) + 4;
  }
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const CallBar* hovered = nullptr;
  st.drawn.clear();
  dl->PushClipRect(ImVec2(o.x + label_w, o.y), ImVec2(o.x + label_w + width, y), true);
  for (const CallBar& b : t.bars) {
    const float x0 = x_of(b.begin), x1 = std::max(x_of(b.end), x0 + 2.0f);
    if (x1 < o.x + label_w || x0 > o.x + label_w + width) continue;
    const float y0 = lane_y[b.lane] + row_h * float(b.depth) + 2, y1 = y0 + row_h - 2;
    const ImVec2 clip0 = ImGui::GetWindowPos(), clip1(clip0.x + ImGui::GetWindowWidth(), clip0.y + ImGui::GetWindowHeight());
    if (y1 > clip0.y && y0 < clip1.y)
      st.drawn.push_back({b.call, std::max(x0, o.x + label_w), std::max(y0, clip0.y), std::min(x1, o.x + label_w + width),
                          std::min(y1, clip1.y)});
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x1, y1), col32(b.colour, b.open ? 255 : 200));
    if (b.selected) dl->AddRect(ImVec2(x0, y0), ImVec2(x1, y1), IM_COL32(255, 200, 40, 255), 0, 0, 2.5f);
    if (x1 - x0 > ImGui::CalcTextSize(b.label.c_str()).x + 4)
      dl->AddText(ImVec2(x0 + 2, y0 + 1), IM_COL32(255, 255, 255, 255), b.label.c_str());
    if (mouse.x >= x0 && mouse.x <= x1 && mouse.y >= y0 && mouse.y <= y1) hovered = &b;
  }
  // "now" line.
  const float xn = x_of(c.f.view ? c.f.view->icount : t.end);
  dl->AddLine(ImVec2(xn, o.y), ImVec2(xn, y), IM_COL32(255, 80, 80, 255), 2.0f);
  dl->PopClipRect();
  ImGui::Dummy(ImVec2(label_w + width, y - o.y));
  if (hovered && ImGui::IsWindowHovered()) {
    ImGui::SetTooltip("%s\nclick: go to this call", hovered->detail.c_str());
    if (ImGui::IsMouseClicked(0) && hovered->call < c.h.calls.size())
      c.s.go_to(engine::landing_icount(engine::EventKind::Call, c.h.calls[hovered->call].enter_icount));
  }
  (void)rows;
  ImGui::EndChild();
}

}  // namespace

void draw_calls_panel(PanelCtx& c) {
  stacks(c);
  ImGui::Separator();
  bars(c);
}

}  // namespace slot::ui
