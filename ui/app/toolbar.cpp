// The menu bar, the toolbar (the debugger's actions with their keys), the
// status line, and the help window listing the keys.
#include <SDL.h>
#include <imgui.h>

#include "ui/app/app.h"
#include "ui/model/status.h"
#include "ui/panels/widgets.h"

namespace slot::ui {

void App::draw_menu() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("Debug")) {
    for (Action a : kToolbar)
      if (ImGui::MenuItem(action_label(a), action_shortcut(a))) {
        if (a == Action::Breakpoints) ui_.breakpoint_dialog = true;
        else s_.act(a);
      }
    ImGui::Separator();
    if (ImGui::MenuItem("Quit")) quit_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (unsigned i = 0; i < kPanels; ++i) ImGui::MenuItem(panel_title(PanelId(i)), nullptr, &ui_.open[i]);
    ImGui::Separator();
    if (ImGui::BeginMenu("Save as PNG")) {
      for (unsigned i = 0; i < kPanels; ++i)
        if (ui_.open[i] && ImGui::MenuItem(panel_title(PanelId(i)))) save_panel(panel_title(PanelId(i)));
      ImGui::Separator();
      if (ImGui::MenuItem("The whole window")) save_panel("##everything"), save_.file = "slotlab-window.png";
      ImGui::TextDisabled("or Ctrl+S over a panel");
      ImGui::EndMenu();
    }
    ImGui::MenuItem("Tile panels", nullptr, &ui_.tiled);
    if (ImGui::MenuItem("Reset layout")) reset_layout();
    if (ImGui::MenuItem(action_label(Action::Present), action_shortcut(Action::Present), ui_.present))
      ui_.present = !ui_.present;
    if (ImGui::MenuItem(action_label(Action::FontBigger), action_shortcut(Action::FontBigger))) set_scale(scale_ * 1.15f);
    if (ImGui::MenuItem(action_label(Action::FontSmaller), action_shortcut(Action::FontSmaller))) set_scale(scale_ / 1.15f);
    if (ImGui::MenuItem(action_label(Action::FontReset), action_shortcut(Action::FontReset))) set_scale(base_scale_);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keys")) help_ = true;
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

float App::draw_toolbar(float y) {
  const ImGuiIO& io = ImGui::GetIO();
  const ImGuiStyle& style = ImGui::GetStyle();
  ImGui::SetNextWindowPos(ImVec2(0, y), ImGuiCond_Always);
  // As wide as the window, as high as its wrapped content (measured last frame).
  const float h0 = toolbar_h_ > 0 ? toolbar_h_ : ImGui::GetFrameHeightWithSpacing() * 2 + style.WindowPadding.y * 2;
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, h0), ImGuiCond_Always);
  const ImGuiWindowFlags wf = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                              ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings |
                              ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (!ImGui::Begin("##toolbar", nullptr, wf)) {
    ImGui::End();
    return h0;
  }
  const auto v = s_.latest_view();
  const bool running = v && v->running;
  // Buttons wrap to the next line when the window (or a large font) leaves
  // no room: a projector at 1280x720 and font scale 2 still shows them all.
  const float right = ImGui::GetWindowContentRegionMax().x;
  for (Action a : kToolbar) {
    const char* label = a == Action::RunPause ? (running ? "Pause" : "Run") : action_button(a);
    const float bw = ImGui::CalcTextSize(label).x + style.FramePadding.x * 2;
    if (a != kToolbar[0]) {
      ImGui::SameLine();
      if (ImGui::GetCursorPosX() + bw > right) ImGui::NewLine();
    }
    if (ImGui::Button(label)) {
      if (a == Action::Breakpoints) ui_.breakpoint_dialog = true;
      else s_.act(a);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (%s)", action_label(a), action_shortcut(a));
  }
  // Status line: why the machine stopped and where (wrapped, never cut).
  const Frame& f = s_.frame();
  if (v) {
    const std::string st = status_text(*v, f, s_.history());
    ImGui::PushStyleColor(ImGuiCol_Text, running ? ImVec4(0.5f, 1.0f, 0.5f, 1) : ImVec4(1.0f, 0.85f, 0.4f, 1));
    ImGui::TextWrapped("%s", st.c_str());
    ImGui::PopStyleColor();
    if (!saved_message_.empty()) ImGui::TextDisabled("%s", saved_message_.c_str());
  }
  toolbar_h_ = ImGui::GetCursorPosY() + style.WindowPadding.y - style.ItemSpacing.y;
  ImGui::End();
  return h0;
}

void App::draw_help() {
  ImGui::SetNextWindowSize(ImVec2(420 * scale_, 0), ImGuiCond_Appearing);
  if (ImGui::Begin("Keys", &help_, ImGuiWindowFlags_AlwaysAutoResize)) {
    for (Action a : kToolbar) ImGui::BulletText("%-12s %s", action_shortcut(a), action_label(a));
    for (Action a : {Action::Present, Action::Escape, Action::SavePng, Action::FontBigger, Action::FontSmaller,
                     Action::FontReset})
      ImGui::BulletText("%-12s %s", action_shortcut(a), action_label(a));
    ImGui::TextDisabled("Click an address anywhere to walk it; click a call bar or an event to go there.");
  }
  ImGui::End();
}

}  // namespace slot::ui
